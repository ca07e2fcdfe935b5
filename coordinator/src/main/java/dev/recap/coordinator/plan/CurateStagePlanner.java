package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.CurateTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code curate} stage: one task per (caption source x training pair shard) of the data stage
 * in {@code after} ({@code synth-data} or {@code dataset}: the {@code pairs-shard}s it declared as
 * training pairs); each declares an Avro sidecar of captions ({@code curated-captions}). Captioners
 * that caption from object annotations ({@code grounded}) need the synthetic scenes, which have
 * them; on a {@code dataset} they are a submission error. A source
 * that a {@code train-captioner} stage in {@code after} trained is run with that stage's
 * configuration and saved state.
 *
 * <p>Parameters: {@code sources} (captioner ids, required, e.g. {@code [alt-text, grounded,
 * learned]}), {@code batchSize} (default 32), {@code configs} (optional mapping source ->
 * captioner configuration), {@code score} (optional: {@code {stage, run, seed}} names a clip run
 * of a {@code pretrain} stage in {@code after} whose CLIP scores every caption; {@code seed}
 * defaults to that stage's first seed) and {@code filter} (optional, needs {@code score}:
 * {@code {topFraction: f}} keeps the best {@code round(f * n)} captions of each (source x shard),
 * {@code {threshold: t}} those scoring at least t). Task names: {@code <source>-<shard>}, e.g.
 * {@code grounded-00003}.
 */
public final class CurateStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "curate";

  /**
   * The source that runs no captioner: each pair's caption stored in the data already, the
   * {@code referenceCaption} a {@code dataset} stage read (recaptions made elsewhere, e.g. by a
   * VLM run offline), or a synthetic pair's quality caption. A pair without one gets none.
   */
  public static final String STORED = "stored";

  private static final Set<String> PARAMS = Set.of("sources", "batchSize", "configs", "score", "filter");
  private static final Set<String> SCORE_KEYS = Set.of("stage", "run", "seed");
  private static final Set<String> FILTER_KEYS = Set.of("topFraction", "threshold");

  /** Captioners that caption from a sample's object annotations, which only the synthetic scenes carry. */
  static final Set<String> NEED_OBJECTS = Set.of("grounded");

  /** The built-in captioners that work from the image (and its caption) alone. */
  static final String WITHOUT_OBJECTS = "alt-text, learned (trained by a train-captioner stage), torchscript";

  /** Which CLIP scores the captions: a run of a pretrain stage; {@code seed} null = the stage's first. */
  record Scoring(String stage, String run, Long seed) {}

  /** A score filter: exactly one of the two is set. */
  record Filter(Double topFraction, Double threshold) {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    List<String> sources = check.stringListParam(stage, "sources");
    if (sources.isEmpty() && check.ok()) {
      check.problem(stage.field("sources"), "is required: a list of captioner ids, e.g. [alt-text, grounded, learned]");
    }
    for (int i = 0; i < sources.size(); i++) {
      if (!sources.get(i).equals(STORED)) {
        check.requirePlugin(stage.field("sources") + "[" + i + "]", sources.get(i));
      }
      if (!sources.get(i).matches("[A-Za-z0-9._-]{1,64}")) {
        check.problem(stage.field("sources") + "[" + i + "]", "must be a captioner id of letters, digits, '.', '_', '-'");
      }
    }
    Map<String, Object> configs = PipelineParams.mapParam(check, stage, "configs", Map.of());
    for (Map.Entry<String, Object> e : configs.entrySet()) {
      if (!sources.contains(e.getKey())) {
        check.problem(stage.field("configs") + "." + e.getKey(), "is not one of the sources " + sources);
      }
      PipelineParams.map(check, stage.field("configs") + "." + e.getKey(), e.getValue(), Map.of());
    }
    check.intParam(stage, "batchSize", 32, 1, 100_000);
    scoring(stage, check);
    filter(stage, check);
    if (stage.params().containsKey("filter") && !stage.params().containsKey("score")) {
      check.problem(stage.field("filter"), "needs a score: add score: {stage: <pretrain stage>, run: <clip run>} to rank captions");
    }
  }

  @Override
  public void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    validate(stage, check);
    StageSpec data = PipelineParams.optionalImageTextStage(job, stage);
    if (data != null && !data.kind().equals(SynthDataStagePlanner.KIND)) {
      List<String> sources = new SpecCheck(null).stringListParam(stage, "sources");
      for (int i = 0; i < sources.size(); i++) {
        if (NEED_OBJECTS.contains(sources.get(i))) {
          check.problem(stage.field("sources") + "[" + i + "]", needsObjects(sources.get(i), data));
        }
        if (sources.get(i).equals(STORED) && data.kind().equals(DatasetStagePlanner.KIND)
            && !data.params().containsKey("referenceCaption")) {
          check.problem(stage.field("sources") + "[" + i + "]", "'stored' passes on the caption the data stage '" + data.name()
              + "' stored from each pair, and it stores none: give it referenceCaption: json:<field> (the field of key.json"
              + " holding the recaption)");
        }
      }
    }
    Scoring scoring = scoring(stage, new SpecCheck(null));
    if (scoring == null) {
      return;
    }
    String field = stage.field("score");
    StageSpec pretrain = job.stage(scoring.stage()).orElse(null);
    if (pretrain == null || !stage.after().contains(scoring.stage())) {
      return; // scoring(...) reported it
    }
    if (!pretrain.kind().equals(PretrainStagePlanner.KIND)) {
      check.problem(field + ".stage", "stage '" + scoring.stage() + "' is of kind '" + pretrain.kind() + "'; scores come from a stage of"
          + " kind 'pretrain'");
      return;
    }
    SpecCheck quiet = new SpecCheck(null); // the pretrain stage reports its own problems
    List<PretrainStagePlanner.Run> runs = PretrainStagePlanner.runs(pretrain, quiet);
    PretrainStagePlanner.Run run = runs.stream().filter(r -> r.name().equals(scoring.run())).findFirst().orElse(null);
    if (run == null) {
      check.problem(field + ".run", "stage '" + scoring.stage() + "' has no run '" + scoring.run() + "'; its runs: "
          + runs.stream().map(PretrainStagePlanner.Run::name).toList());
      return;
    }
    if (!run.objective().equals("clip")) {
      check.problem(field + ".run", "run '" + scoring.run() + "' has objective " + run.objective() + "; scoring needs a clip run"
          + " (it trains a text tower)");
    }
    check.requirePlugin(field + ".run", run.encoder());
    check.requirePlugin(field + ".run", (String) run.spec().get("textEncoder"));
    List<Long> seeds = PretrainStagePlanner.seeds(pretrain, quiet);
    if (scoring.seed() != null && !seeds.contains(scoring.seed())) {
      check.problem(field + ".seed", "stage '" + scoring.stage() + "' trains seeds " + seeds + ", not " + scoring.seed());
    }
  }

  private static String needsObjects(String source, StageSpec data) {
    return "captioner '" + source + "' captions from object annotations, which the pairs of stage '" + data.name() + "' (kind "
        + data.kind() + ") do not have; captioners that work on them: " + WITHOUT_OBJECTS;
  }

  /** The {@code score} parameter, or null; problems (with field paths) go to {@code check}. */
  static Scoring scoring(StageSpec stage, SpecCheck check) {
    if (!stage.params().containsKey("score")) {
      return null;
    }
    String field = stage.field("score");
    Map<String, Object> m = PipelineParams.mapParam(check, stage, "score", null);
    if (m == null) {
      return null;
    }
    for (String key : m.keySet()) {
      if (!SCORE_KEYS.contains(key)) {
        check.problem(field + "." + key, "unknown score field; known: " + new TreeSet<>(SCORE_KEYS));
      }
    }
    String pretrain = m.get("stage") instanceof String s ? s : null;
    String run = m.get("run") instanceof String s ? s : null;
    if (pretrain == null) {
      check.problem(field + ".stage", "is required: the name of a pretrain stage in 'after', got " + SpecCheck.describe(m.get("stage")));
    } else if (!stage.after().contains(pretrain)) {
      check.problem(field + ".stage", "'" + pretrain + "' must be listed in this stage's 'after' " + stage.after()
          + ": its CLIP must be trained before it can score");
    }
    if (run == null) {
      check.problem(field + ".run", "is required: the name of a clip run of that stage, got " + SpecCheck.describe(m.get("run")));
    }
    Long seed = null;
    Object s = m.get("seed");
    if (s instanceof Integer || s instanceof Long) {
      seed = ((Number) s).longValue();
    } else if (s != null) {
      check.problem(field + ".seed", "must be a whole number (one of the pretrain stage's seeds), got " + SpecCheck.describe(s));
    }
    return pretrain == null || run == null ? null : new Scoring(pretrain, run, seed);
  }

  /** The {@code filter} parameter, or null; problems (with field paths) go to {@code check}. */
  static Filter filter(StageSpec stage, SpecCheck check) {
    if (!stage.params().containsKey("filter")) {
      return null;
    }
    String field = stage.field("filter");
    Map<String, Object> m = PipelineParams.mapParam(check, stage, "filter", null);
    if (m == null) {
      return null;
    }
    for (String key : m.keySet()) {
      if (!FILTER_KEYS.contains(key)) {
        check.problem(field + "." + key, "unknown filter field; known: " + new TreeSet<>(FILTER_KEYS));
      }
    }
    boolean top = m.containsKey("topFraction");
    boolean threshold = m.containsKey("threshold");
    if (top == threshold) {
      check.problem(field, "needs exactly one of topFraction (keep the best fraction, e.g. 0.8) or threshold (keep scores >= t,"
          + " e.g. 0.25), got " + SpecCheck.describe(m));
      return null;
    }
    if (top) {
      double f = PipelineParams.number(check, field + ".topFraction", m.get("topFraction"), Double.NaN, 0, 1);
      return Double.isNaN(f) ? null : new Filter(f, null);
    }
    // a cosine similarity: a threshold outside [-1, 1] keeps everything or nothing
    double t = PipelineParams.number(check, field + ".threshold", m.get("threshold"), Double.NaN, -1, 1);
    return Double.isNaN(t) ? null : new Filter(null, t);
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    List<String> sources = check.stringListParam(stage, "sources");
    int batchSize = check.intParam(stage, "batchSize", 32, 1, 100_000);
    Map<String, Object> configs = PipelineParams.mapParam(check, stage, "configs", Map.of());
    Scoring scoring = scoring(stage, check);
    Filter filter = filter(stage, check);
    PipelineParams.requireOk(check, stage);
    if (filter != null && scoring == null) {
      throw new IllegalArgumentException(stage.field("filter") + ": needs a score");
    }
    String scorer = null;
    Set<String> scorerPlugins = Set.of();
    if (scoring != null) {
      StageSpec pretrain = input.job().stage(scoring.stage()).filter(s -> s.kind().equals(PretrainStagePlanner.KIND))
          .orElseThrow(() -> new IllegalArgumentException(stage.field("score") + ".stage: no pretrain stage '" + scoring.stage() + "'"));
      List<PretrainStagePlanner.Run> runs = PretrainStagePlanner.runs(pretrain, check);
      long seed = scoring.seed() != null ? scoring.seed() : PretrainStagePlanner.seeds(pretrain, check).get(0);
      PretrainStagePlanner.Run run = runs.stream().filter(r -> r.name().equals(scoring.run())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(stage.field("score") + ".run: stage '" + scoring.stage() + "' has no run '"
              + scoring.run() + "'"));
      Path dir = PretrainStagePlanner.outputs(input, scoring.stage()).get(PretrainStagePlanner.taskName(run.name(), seed));
      if (dir == null) {
        throw new IllegalArgumentException(stage.field("score") + ": stage '" + scoring.stage() + "' has no output of run '" + run.name()
            + "' with seed " + seed);
      }
      scorer = dir.toString();
      scorerPlugins = new LinkedHashSet<>(List.of(run.encoder(), (String) run.spec().get("textEncoder")));
    }
    ImageTextData data = PipelineParams.imageTextSource(input, stage);
    if (!data.annotated()) {
      for (String source : sources) {
        if (NEED_OBJECTS.contains(source)) {
          throw new IllegalArgumentException(stage.field("sources") + ": " + needsObjects(source, data.stage()));
        }
      }
    }
    StageSpec trained = PipelineParams.optionalAfterOfKind(input.job(), stage, TrainCaptionerStagePlanner.KIND);
    String trainedId = null;
    Map<String, Object> trainedConfig = Map.of();
    Path state = null;
    if (trained != null) {
      trainedId = check.stringParam(trained, "captioner", "learned");
      trainedConfig = PipelineParams.mapParam(check, trained, "config", Map.of());
      state = TrainCaptionerStagePlanner.stateDirectory(input, trained.name());
    }
    Map<String, Path> shards = data.training();
    data.trainingShards(); // fails naming the data stage if it declared none
    List<PlannedTask> tasks = new ArrayList<>();
    for (String source : sources) {
      boolean isTrained = source.equals(trainedId);
      Map<String, Object> config = new LinkedHashMap<>(isTrained ? trainedConfig : Map.of());
      config.putAll(PipelineParams.map(check, "configs." + source, configs.get(source), Map.of()));
      for (Map.Entry<String, Path> shard : shards.entrySet()) {
        CurateTask payload = new CurateTask(source, PipelineParams.json(config), isTrained ? state.toString() : null,
            shard.getValue().toString(), batchSize, scorer, filter == null ? null : filter.topFraction(),
            filter == null ? null : filter.threshold());
        Set<String> requires = new LinkedHashSet<>(source.equals(STORED) ? Set.of() : TrainCaptionerStagePlanner.requires(source, config));
        requires.addAll(scorerPlugins);
        tasks.add(new PlannedTask(source + "-" + shard.getKey(), KIND, payload, requires));
      }
    }
    return tasks;
  }

  /** The {@code curated-captions} sidecars of {@code source} that a curate stage declared, by shard. */
  static List<String> sidecars(PlanningInput input, String stageName, String source) {
    List<String> out = new ArrayList<>();
    input.outputsOf(stageName, OutputKind.CURATED_CAPTIONS).forEach((task, path) -> {
      if (task.startsWith(source + "-") && task.substring(source.length() + 1).matches("\\d+")) {
        out.add(path.toString());
      }
    });
    return out;
  }
}
