package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.PretrainTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code pretrain} stage: one single-worker task per (run x seed). A run is CLIP on one caption
 * source (curated captions joined from the sidecars of the {@code curate} stage(s) in {@code after}),
 * masked image modeling ({@code mae}) or a random initialization ({@code none}), always on the
 * training pairs of the data stage in {@code after} ({@code synth-data} or {@code dataset}).
 *
 * <p>Parameters: {@code runs} (required list; each {@code name}, {@code objective} clip|mae|none
 * (default clip), {@code encoder} (default vit), {@code encoderConfig} (default
 * {@code {preset: vit-tiny}}), {@code captions} (a curate source; required for clip), and
 * optionally {@code curatedProbability}, {@code learningRate}, {@code epochs}), {@code seeds}
 * (default [1]), and the settings every run shares unless it overrides them: {@code text}
 * (text-transformer), {@code textConfig} ({@code {preset: text-tiny}}), {@code embedDim} (128),
 * {@code imageSize} (64), {@code batchSize} (128), {@code epochs} (1), {@code maxSteps} (0 = no
 * cap), {@code learningRate} (5e-4), {@code warmupSteps} (20), {@code curatedProbability} (1.0),
 * {@code maskRatio} (0.75), {@code decoderWidth} (128), {@code loaderThreads} (1), {@code augment}
 * ({@code {minScale: 0.9, flip: false}}, OpenCLIP's training crop; a run's {@code augment}
 * overrides the keys it names), and {@code checkpointEvery} (50 steps; 0 = no checkpoints): a
 * retried task resumes from its latest, and {@code snapshots} (0: the final model only; n: copies
 * of the model at 1/n, 2/n, ... (n-1)/n of the training steps too, declared as
 * {@code trained-run-snapshot} outputs, which {@code evaluate} probes with {@code curve: true}),
 * and {@code init} (a checkpoint every run starts from instead of a random initialization: an
 * OpenCLIP or MobileCLIP safetensors file, {@code recap export}'s or the field's; a run's own
 * {@code init} overrides it; clip runs read the whole CLIP, mae and none runs the image tower).
 * Task names: {@code <run>-s<seed>}.
 */
public final class PretrainStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "pretrain";

  private static final Set<String> PARAMS = Set.of("runs", "seeds", "text", "textConfig", "embedDim", "imageSize", "batchSize",
      "epochs", "maxSteps", "learningRate", "warmupSteps", "curatedProbability", "maskRatio", "decoderWidth", "loaderThreads",
      "checkpointEvery", "augment", "snapshots", "init");
  private static final Set<String> RUN_KEYS = Set.of("name", "objective", "encoder", "encoderConfig", "captions",
      "curatedProbability", "learningRate", "epochs", "augment", "init");
  private static final Set<String> OBJECTIVES = Set.of("clip", "mae", "none");

  /** Steps between a task's checkpoints unless the stage says otherwise. */
  static final int DEFAULT_CHECKPOINT_EVERY = 50;

  /** One run as the spec defines it; {@code spec} is the worker's ClipRunSpec JSON form. */
  record Run(String name, String objective, String encoder, String captions, Map<String, Object> spec) {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    for (Run run : runs(stage, check)) {
      check.requirePlugin(stage.field("runs") + "." + run.name + ".encoder", run.encoder);
      if (run.objective.equals("clip")) {
        check.requirePlugin(stage.field("text"), (String) run.spec.get("textEncoder"));
      }
    }
    seeds(stage, check);
    check.intParam(stage, "checkpointEvery", DEFAULT_CHECKPOINT_EVERY, 0, 1 << 20);
    check.intParam(stage, "snapshots", 0, 0, 1000);
  }

  static List<Long> seeds(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("seeds");
    if (v == null) {
      return List.of(1L);
    }
    List<Long> seeds = new ArrayList<>();
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      check.problem(stage.field("seeds"), "must be a non-empty list of whole numbers, got " + SpecCheck.describe(v));
      return List.of(1L);
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof Integer || list.get(i) instanceof Long) {
        Long s = ((Number) list.get(i)).longValue();
        if (seeds.contains(s)) {
          check.problem(stage.field("seeds") + "[" + i + "]", "seed " + s + " is listed twice");
        }
        seeds.add(s);
      } else {
        check.problem(stage.field("seeds") + "[" + i + "]", "must be a whole number, got " + SpecCheck.describe(list.get(i)));
      }
    }
    return seeds;
  }

  /** The stage's runs, each with its complete run spec; problems are recorded on {@code check}. */
  static List<Run> runs(StageSpec stage, SpecCheck check) {
    Object v = stage.params().get("runs");
    List<Run> runs = new ArrayList<>();
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      check.problem(stage.field("runs"), "is required: a non-empty list of runs, each with name, objective, encoder, captions; got "
          + SpecCheck.describe(v));
      return runs;
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String field = stage.field("runs") + "[" + i + "]";
      Map<String, Object> r = PipelineParams.map(check, field, list.get(i), null);
      if (r == null) {
        continue;
      }
      for (String key : r.keySet()) {
        if (!RUN_KEYS.contains(key)) {
          check.problem(field + "." + key, "unknown run field; known: " + new java.util.TreeSet<>(RUN_KEYS));
        }
      }
      String name = r.get("name") instanceof String s ? s : null;
      if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
        check.problem(field + ".name", "is required: 1-64 letters, digits, '-', '_', got " + SpecCheck.describe(r.get("name")));
        continue;
      }
      if (!names.add(name)) {
        check.problem(field + ".name", "run '" + name + "' is defined twice");
      }
      String objective = r.getOrDefault("objective", "clip") instanceof String s ? s : "";
      if (!OBJECTIVES.contains(objective)) {
        check.problem(field + ".objective", "must be one of [clip, mae, none], got " + SpecCheck.describe(r.get("objective")));
      }
      String encoder = r.getOrDefault("encoder", "vit") instanceof String s ? s : null;
      if (encoder == null) {
        check.problem(field + ".encoder", "must be an image encoder id, got " + SpecCheck.describe(r.get("encoder")));
        encoder = "vit";
      }
      String captions = r.get("captions") instanceof String s ? s : null;
      if (objective.equals("clip") && captions == null) {
        check.problem(field + ".captions", "is required for a clip run: the curate source to train on, e.g. grounded");
      }
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("objective", objective);
      spec.put("imageEncoder", encoder);
      spec.put("imageConfig", PipelineParams.map(check, field + ".encoderConfig", r.get("encoderConfig"), Map.of("preset", "vit-tiny")));
      spec.put("textEncoder", check.stringParam(stage, "text", "text-transformer"));
      spec.put("textConfig", PipelineParams.mapParam(check, stage, "textConfig", Map.of("preset", "text-tiny")));
      spec.put("embedDim", check.intParam(stage, "embedDim", 128, 1, 1 << 16));
      spec.put("imageSize", check.intParam(stage, "imageSize", 64, 8, 4096));
      spec.put("batchSize", check.intParam(stage, "batchSize", 128, 1, 1 << 20));
      int epochs = check.intParam(stage, "epochs", 1, 1, 100_000);
      spec.put("epochs", r.containsKey("epochs") ? (int) PipelineParams.number(check, field + ".epochs", r.get("epochs"), epochs, 1, 100_000) : epochs);
      spec.put("maxSteps", check.longParam(stage, "maxSteps", 0));
      double lr = PipelineParams.doubleParam(check, stage, "learningRate", 5e-4, 1e-9, 10);
      spec.put("learningRate", PipelineParams.number(check, field + ".learningRate", r.get("learningRate"), lr, 1e-9, 10));
      spec.put("warmupSteps", check.longParam(stage, "warmupSteps", 20));
      double p = PipelineParams.doubleParam(check, stage, "curatedProbability", 1.0, 0, 1);
      spec.put("curatedProbability", PipelineParams.number(check, field + ".curatedProbability", r.get("curatedProbability"), p, 0, 1));
      spec.put("maskRatio", PipelineParams.doubleParam(check, stage, "maskRatio", 0.75, 0.01, 0.99));
      spec.put("decoderWidth", check.intParam(stage, "decoderWidth", 128, 1, 1 << 16));
      spec.put("loaderThreads", check.intParam(stage, "loaderThreads", 1, 1, 64));
      Map<String, Object> stageAugment = PipelineParams.augment(check, stage.field("augment"), stage.params().get("augment"),
          PipelineParams.defaultAugment());
      spec.put("augment", PipelineParams.augment(check, field + ".augment", r.get("augment"), stageAugment));
      spec.put("init", r.containsKey("init") ? PipelineParams.checkpointFile(check, field + ".init", r.get("init"))
          : PipelineParams.checkpointFile(check, stage.field("init"), stage.params().get("init")));
      runs.add(new Run(name, objective, encoder, captions, spec));
    }
    return runs;
  }

  /** The task name of (run, seed). */
  static String taskName(String run, long seed) {
    return run + "-s" + seed;
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    List<Run> runs = runs(stage, check);
    List<Long> seeds = seeds(stage, check);
    int checkpointEvery = check.intParam(stage, "checkpointEvery", DEFAULT_CHECKPOINT_EVERY, 0, 1 << 20);
    int snapshots = check.intParam(stage, "snapshots", 0, 0, 1000);
    PipelineParams.requireOk(check, stage);
    List<String> shards = new ArrayList<>();
    PipelineParams.imageTextSource(input, stage).trainingShards().forEach(p -> shards.add(p.toString()));
    // several curate stages may feed one pretrain stage (e.g. rule-based sources beside a trained captioner's)
    List<StageSpec> curates = new ArrayList<>();
    for (String name : stage.after()) {
      input.job().stage(name).filter(s -> s.kind().equals(CurateStagePlanner.KIND)).ifPresent(curates::add);
    }
    if (curates.isEmpty() && runs.stream().anyMatch(r -> r.objective.equals("clip"))) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' has clip runs but no stage of kind 'curate' in its 'after' list "
          + stage.after());
    }
    List<PlannedTask> tasks = new ArrayList<>();
    for (Run run : runs) {
      List<String> sidecars = List.of();
      if (run.objective.equals("clip")) {
        List<String> found = new ArrayList<>();
        for (StageSpec curate : curates) {
          found.addAll(CurateStagePlanner.sidecars(input, curate.name(), run.captions));
        }
        sidecars = found;
        if (sidecars.isEmpty()) {
          throw new IllegalArgumentException(stage.field("runs") + "." + run.name + ".captions: no sidecars of source '" + run.captions
              + "' in the curate stage(s) " + curates.stream().map(StageSpec::name).toList() + "; their sources must include it");
        }
      }
      Set<String> requires = new LinkedHashSet<>(List.of(run.encoder));
      if (run.objective.equals("clip")) {
        requires.add((String) run.spec.get("textEncoder"));
      }
      for (long seed : seeds) {
        PretrainTask payload = new PretrainTask(run.name, seed, run.objective, run.captions == null ? "" : run.captions,
            shards, sidecars, PipelineParams.json(run.spec), checkpointEvery,
            run.objective.equals("none") ? 0 : snapshots);
        tasks.add(new PlannedTask(taskName(run.name, seed), KIND, payload, requires));
      }
    }
    return tasks;
  }

  /** The {@code trained-run} directory each task of a pretrain stage declared, by task name. */
  static Map<String, Path> outputs(PlanningInput input, String stageName) {
    return input.outputsOf(stageName, OutputKind.TRAINED_RUN);
  }
}
