package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code evaluate} stage: for every pretrained (run x seed) of the {@code pretrain} stage in
 * {@code after} (or the one run of a {@code pretrain-gang} stage there), one task per (protocol x dense task x fraction) on the dense splits of the
 * {@code synth-data} stage in {@code after}, plus one retrieval task per CLIP (run x seed) on the
 * held-out pairs of the image-text data stage in {@code after} ({@code synth-data} or
 * {@code dataset}). With {@code dense-data} stages in {@code after}, the dense tasks are scored on
 * those benchmarks instead of the synth-data stage's dense splits (segmentation on an
 * {@code ade20k} one, depth on an {@code nyuv2} one; see {@link DenseSources}).
 *
 * <p>Parameters: {@code tasks} (default [segmentation, depth]), {@code protocols} (default
 * [frozen, finetune]), {@code retrieval} (default true), and per protocol a mapping
 * {@code frozen:} / {@code finetune:} with {@code fractions} (defaults [1.0] / [0.1, 1.0]),
 * {@code head} (linear), {@code headConfig}, {@code epochs} (40 / 3: the schedule's length in
 * passes over the whole training split; every fraction trains that many steps) or {@code steps},
 * {@code batchSize} (16), {@code headLearningRate} (1e-2), {@code encoderLearningRate} (1e-4, finetune),
 * {@code predictions} (PNGs saved, 2), {@code bootstrapResamples} (resampled test sets for the
 * metrics' standard errors, 200; 0 = none) and {@code features} (which dense map the head reads:
 * a dense mode of the encoder, e.g. {@code blocks} for every ViT block's tokens, either one name
 * for every run or a mapping from encoder id to mode, {@code {vit: blocks}}, runs of other
 * encoders keeping their default; absent = every encoder's default), and {@code runs} (the run
 * or checkpoint names the protocol evaluates; default every one). Task names:
 * {@code <run>-s<seed>-<protocol>-<task>-f<fraction>} and {@code <run>-s<seed>-retrieval}.
 */
public final class EvaluateStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "evaluate";

  private static final Set<String> PARAMS = Set.of("tasks", "protocols", "retrieval", "frozen", "finetune", "curve", "zeroShot",
      "checkpoints");
  private static final Set<String> PROTOCOL_KEYS = Set.of("fractions", "head", "headConfig", "epochs", "steps", "batchSize",
      "headLearningRate", "encoderLearningRate", "predictions", "bootstrapResamples", "features", "runs");
  private static final List<String> TASKS = List.of("segmentation", "depth");
  private static final List<String> PROTOCOLS = List.of("frozen", "finetune");

  @Override
  public String kind() {
    return KIND;
  }

  /**
   * One protocol's settings; {@code features} maps an encoder id to the dense mode its runs are
   * probed with ({@link #ANY_ENCODER} for a single name that applies to every run); {@code runs}
   * names the runs it evaluates (empty: every run).
   */
  private record Protocol(String name, List<Double> fractions, String head, Map<String, Object> config,
      Map<String, String> features, List<String> runs) {

    /** Whether this protocol evaluates the run (or checkpoint) of that name. */
    boolean evaluates(String run) {
      return runs.isEmpty() || runs.contains(run);
    }

    /** The task configuration for a run of {@code encoder}: the dense mode it is probed with added, if any. */
    Map<String, Object> configFor(String encoder) {
      String mode = features.getOrDefault(encoder, features.get(ANY_ENCODER));
      if (mode == null) {
        return config;
      }
      Map<String, Object> c = new LinkedHashMap<>(config);
      c.put("features", mode);
      return c;
    }
  }

  private static final String ANY_ENCODER = "*";

  /** {@code features}: absent, one mode name, or encoder id to mode name. */
  private static Map<String, String> features(SpecCheck check, String field, Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (value instanceof String mode && !mode.isBlank()) {
      out.put(ANY_ENCODER, mode);
      return out;
    }
    if (value instanceof Map<?, ?> byEncoder) {
      for (Map.Entry<?, ?> e : byEncoder.entrySet()) {
        if (e.getValue() instanceof String mode && !mode.isBlank()) {
          out.put(String.valueOf(e.getKey()), mode);
        } else {
          check.problem(field + "." + e.getKey(), "must be the name of a dense mode of encoder '" + e.getKey()
              + "' (e.g. blocks), got " + SpecCheck.describe(e.getValue()));
        }
      }
      return out;
    }
    check.problem(field, "must be a dense mode name (e.g. blocks) or a mapping from encoder id to one (e.g. {vit: blocks}),"
        + " got " + SpecCheck.describe(value));
    return out;
  }

  private static List<String> oneOf(SpecCheck check, StageSpec stage, String key, List<String> allowed) {
    if (!stage.params().containsKey(key)) {
      return allowed;
    }
    List<String> values = check.stringListParam(stage, key);
    for (int i = 0; i < values.size(); i++) {
      if (!allowed.contains(values.get(i))) {
        check.problem(stage.field(key) + "[" + i + "]", "must be one of " + allowed + ", got '" + values.get(i) + "'");
      }
    }
    return values;
  }

  private static List<Protocol> protocols(StageSpec stage, SpecCheck check) {
    List<Protocol> out = new ArrayList<>();
    for (String name : oneOf(check, stage, "protocols", PROTOCOLS)) {
      boolean frozen = name.equals("frozen");
      Map<String, Object> m = PipelineParams.mapParam(check, stage, name, Map.of());
      for (String key : m.keySet()) {
        if (!PROTOCOL_KEYS.contains(key)) {
          check.problem(stage.field(name) + "." + key, "unknown protocol field; known: " + new java.util.TreeSet<>(PROTOCOL_KEYS));
        }
      }
      List<Double> fractions = PipelineParams.numberList(check, stage.field(name) + ".fractions", m.get("fractions"),
          frozen ? List.of(1.0) : List.of(0.1, 1.0), 1e-6, 1.0);
      String head = m.getOrDefault("head", "linear") instanceof String s ? s : null;
      if (head == null) {
        check.problem(stage.field(name) + ".head", "must be a dense head id, got " + SpecCheck.describe(m.get("head")));
        head = "linear";
      }
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("head", head);
      config.put("headConfig", PipelineParams.map(check, stage.field(name) + ".headConfig", m.get("headConfig"), Map.of()));
      config.put("epochs", (int) PipelineParams.number(check, stage.field(name) + ".epochs", m.get("epochs"), frozen ? 40 : 3, 1, 10_000));
      if (m.containsKey("steps")) {
        if (m.containsKey("epochs")) {
          check.problem(stage.field(name) + ".steps", "give 'epochs' (passes of the whole training split) or 'steps', not both");
        }
        config.put("steps", (int) PipelineParams.number(check, stage.field(name) + ".steps", m.get("steps"), 0, 1, 10_000_000));
      }
      config.put("batchSize", (int) PipelineParams.number(check, stage.field(name) + ".batchSize", m.get("batchSize"), 16, 1, 100_000));
      config.put("headLearningRate", PipelineParams.number(check, stage.field(name) + ".headLearningRate", m.get("headLearningRate"),
          1e-2, 1e-9, 10));
      config.put("encoderLearningRate",
          PipelineParams.number(check, stage.field(name) + ".encoderLearningRate", m.get("encoderLearningRate"), 1e-4, 1e-9, 10));
      config.put("predictions", (int) PipelineParams.number(check, stage.field(name) + ".predictions", m.get("predictions"), 2, 0, 1000));
      int resamples = (int) PipelineParams.number(check, stage.field(name) + ".bootstrapResamples", m.get("bootstrapResamples"),
          200, 0, 100_000);
      if (resamples == 1) {
        check.problem(stage.field(name) + ".bootstrapResamples", "must be 0 (no standard errors) or at least 2, got 1");
      }
      config.put("bootstrapResamples", resamples);
      List<String> runs = List.of();
      if (m.containsKey("runs")) {
        if (m.get("runs") instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(r -> r instanceof String)) {
          runs = list.stream().map(String.class::cast).toList();
        } else {
          check.problem(stage.field(name) + ".runs", "must be a non-empty list of run names (default: every run), got "
              + SpecCheck.describe(m.get("runs")));
        }
      }
      out.add(new Protocol(name, fractions, head, config, features(check, stage.field(name) + ".features", m.get("features")),
          runs));
    }
    return out;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    oneOf(check, stage, "tasks", TASKS);
    check.boolParam(stage, "retrieval", true);
    List<Protocol> protocols = protocols(stage, check);
    for (Protocol p : protocols) {
      check.requirePlugin(stage.field(p.name) + ".head", p.head);
    }
    if (check.boolParam(stage, "curve", false) && protocols.stream().noneMatch(p -> p.name.equals("frozen"))) {
      check.problem(stage.field("curve"), "probes the pretrain stage's snapshots with the frozen protocol; add frozen to"
          + " 'protocols' or drop 'curve'");
    }
    ZeroShotOption.read(stage, check);
    for (ExternalCheckpoint c : ExternalCheckpoint.read(stage, check)) {
      check.requirePlugin(c.field() + ".encoder", c.encoder());
      if (c.text() != null) {
        check.requirePlugin(c.field() + ".text", c.text());
      }
    }
  }

  /**
   * As {@link #validate(StageSpec, SpecCheck)}; with {@code dense-data} stages in {@code after},
   * one of them must serve every dense task asked for ({@link DenseSources}); retrieval after a
   * dataset needs that dataset to keep held-out pairs.
   */
  @Override
  public void validate(StageSpec stage, JobSpec job, SpecCheck check) {
    validate(stage, check);
    SpecCheck scratch = PipelineParams.reading();
    List<Protocol> protocols = protocols(stage, scratch);
    if (!protocols.isEmpty()) {
      DenseSources.check(job, stage, oneOf(scratch, stage, "tasks", TASKS), TASKS, check);
    }
    Set<String> known = runNames(job, stage);
    for (Protocol p : protocols) {
      for (int i = 0; i < p.runs.size(); i++) {
        if (!known.contains(p.runs.get(i))) {
          check.problem(stage.field(p.name) + ".runs[" + i + "]", "no run or checkpoint named '" + p.runs.get(i)
              + "' is evaluated here; known: " + known);
        }
      }
    }
    if (!new SpecCheck(null).boolParam(stage, "retrieval", true)) {
      return;
    }
    StageSpec data = PipelineParams.optionalImageTextStage(job, stage);
    if (data != null && data.kind().equals(DatasetStagePlanner.KIND) && !DatasetStagePlanner.holdsOut(data) && trainsClip(job, stage)) {
      check.problem(stage.field("retrieval"), "retrieval ranks held-out pairs, and stage '" + data.name() + "' (kind dataset)"
          + " keeps none out of training: set its heldOut (e.g. heldOut: 256) or heldOutShards, or retrieval: false here");
    }
  }

  /** The names of the models this stage evaluates: the runs of the pretrain stages in {@code after}, and its checkpoints. */
  private static Set<String> runNames(JobSpec job, StageSpec stage) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : stage.after()) {
      StageSpec s = job.stage(name).orElse(null);
      if (s != null && s.kind().equals(PretrainStagePlanner.KIND)) {
        PretrainStagePlanner.runs(s, new SpecCheck(null)).forEach(r -> names.add(r.name()));
      } else if (s != null && s.kind().equals(PretrainGangStagePlanner.KIND)) {
        try {
          names.add(PretrainGangStagePlanner.run(s).name());
        } catch (IllegalArgumentException e) {
          // the gang stage reports its own problems
        }
      }
    }
    ExternalCheckpoint.read(stage, new SpecCheck(null)).forEach(c -> names.add(c.name()));
    return names;
  }

  /** Whether a stage in {@code after} trains a CLIP (a clip run of a pretrain stage, or a pretrain-gang stage). */
  private static boolean trainsClip(JobSpec job, StageSpec stage) {
    for (String name : stage.after()) {
      StageSpec s = job.stage(name).orElse(null);
      if (s == null) {
        continue;
      }
      if (s.kind().equals(PretrainGangStagePlanner.KIND)) {
        return true;
      }
      if (s.kind().equals(PretrainStagePlanner.KIND)
          && PretrainStagePlanner.runs(s, new SpecCheck(null)).stream().anyMatch(r -> r.objective().equals("clip"))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    List<String> tasks = oneOf(check, stage, "tasks", TASKS);
    boolean retrieval = check.boolParam(stage, "retrieval", true);
    boolean curve = check.boolParam(stage, "curve", false);
    List<Protocol> protocols = protocols(stage, check);
    Map<String, Object> zeroShot = ZeroShotOption.read(stage, check);
    List<ExternalCheckpoint> checkpoints = ExternalCheckpoint.read(stage, check);
    PipelineParams.requireOk(check, stage);
    // each dense task's [train, test]: a synth-data stage's dense folders or a dense-data stage's index
    Map<String, List<String>> dense = protocols.isEmpty() ? Map.of() : DenseSources.paths(input, stage, tasks);
    // zero-shot labels the segmentation test split's images with their largest class
    List<String> zeroShotData = zeroShot == null ? List.of()
        : DenseSources.paths(input, stage, List.of("segmentation")).get("segmentation");
    List<PlannedTask> planned = new ArrayList<>();
    List<Pretrained> models = new ArrayList<>();
    boolean anyPretrainStage = PipelineParams.optionalAfterOfKind(input.job(), stage, PretrainStagePlanner.KIND) != null
        || PipelineParams.optionalAfterOfKind(input.job(), stage, PretrainGangStagePlanner.KIND) != null;
    if (anyPretrainStage || checkpoints.isEmpty()) {
      models.addAll(pretrained(input, stage));
    }
    Set<String> names = new LinkedHashSet<>();
    models.forEach(m -> names.add(m.name()));
    for (ExternalCheckpoint c : checkpoints) {
      if (!names.add(c.name())) {
        throw new IllegalArgumentException(c.field() + ".name: '" + c.name() + "' is also the name of a run of the pretrain stage;"
            + " name the checkpoint apart");
      }
      models.add(new Pretrained(c.name(), c.seed(), c.encoder(), c.text(), c.text() != null, c.file(), List.of(), c.spec()));
    }
    for (Pretrained run : models) {
      String source = PretrainStagePlanner.taskName(run.name(), run.seed());
      for (Protocol p : protocols) {
        if (!p.evaluates(run.name())) {
          continue;
        }
        for (String task : tasks) {
          for (double fraction : p.fractions) {
            EvaluateTask payload = new EvaluateTask(run.name(), run.seed(), p.name, task, fraction, run.dir().toString(),
                dense.get(task), PipelineParams.json(run.config(p.configFor(run.encoder()))));
            planned.add(new PlannedTask(source + "-" + p.name + "-" + task + "-f" + fraction, KIND, payload,
                new LinkedHashSet<>(List.of(run.encoder(), p.head))));
          }
        }
      }
      if (retrieval && run.clip()) {
        EvaluateTask payload = new EvaluateTask(run.name(), run.seed(), "retrieval", "retrieval", 1.0, run.dir().toString(),
            heldOutPairs(input, stage), PipelineParams.json(run.config(Map.of())));
        Set<String> requires = new LinkedHashSet<>(List.of(run.encoder(), run.textEncoder()));
        planned.add(new PlannedTask(source + "-retrieval", KIND, payload, requires));
      }
      if (zeroShot != null && run.clip()) {
        EvaluateTask payload = new EvaluateTask(run.name(), run.seed(), ZeroShotOption.PROTOCOL, ZeroShotOption.PROTOCOL, 1.0,
            run.dir().toString(), zeroShotData, PipelineParams.json(run.config(zeroShot)));
        planned.add(new PlannedTask(source + "-" + ZeroShotOption.PROTOCOL, KIND, payload,
            new LinkedHashSet<>(List.of(run.encoder(), run.textEncoder()))));
      }
      if (curve) {
        planned.addAll(alongTheRun(run, input, stage, protocols, tasks, dense, retrieval));
      }
    }
    return planned;
  }

  /**
   * The probes of the snapshots {@code run}'s pretrain task kept (its result's {@code snapshots}):
   * the frozen protocol at its first fraction for every dense task, and retrieval for a CLIP.
   */
  private static List<PlannedTask> alongTheRun(Pretrained run, PlanningInput input, StageSpec stage, List<Protocol> protocols,
      List<String> tasks, Map<String, List<String>> dense, boolean retrieval) {
    List<PlannedTask> planned = new ArrayList<>();
    if (run.snapshots().isEmpty()) {
      return planned;
    }
    Protocol frozen = protocols.stream().filter(p -> p.name.equals("frozen")).findFirst().orElseThrow();
    if (!frozen.evaluates(run.name())) {
      return planned;
    }
    double fraction = frozen.fractions.get(0);
    String source = PretrainStagePlanner.taskName(run.name(), run.seed());
    for (Snapshot snapshot : run.snapshots()) {
      String at = source + "-step" + snapshot.step();
      for (String task : tasks) {
        EvaluateTask payload = new EvaluateTask(run.name(), run.seed(), frozen.name, task, fraction, snapshot.dir().toString(),
            dense.get(task), PipelineParams.json(frozen.configFor(run.encoder())));
        planned.add(new PlannedTask(at + "-" + frozen.name + "-" + task + "-f" + fraction, KIND, payload,
            new LinkedHashSet<>(List.of(run.encoder(), frozen.head))));
      }
      if (retrieval && run.clip()) {
        EvaluateTask payload = new EvaluateTask(run.name(), run.seed(), "retrieval", "retrieval", 1.0, snapshot.dir().toString(),
            heldOutPairs(input, stage), "{}");
        planned.add(new PlannedTask(at + "-retrieval", KIND, payload,
            new LinkedHashSet<>(List.of(run.encoder(), run.textEncoder()))));
      }
    }
    return planned;
  }

  /**
   * The held-out pairs retrieval ranks: those the image-text data stage in {@code after}
   * ({@code synth-data} or {@code dataset}) declared as kept out of training.
   */
  private static List<String> heldOutPairs(PlanningInput input, StageSpec stage) {
    ImageTextData data = PipelineParams.imageTextSource(input, stage);
    if (data.heldOut().isEmpty()) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' retrieves on held-out pairs, but stage '" + data.stage().name()
          + "' declared none: set its heldOut or heldOutShards, or retrieval: false here");
    }
    return data.heldOut().stream().map(Path::toString).toList();
  }

  /** A copy of a run's model kept partway through its training. */
  private record Snapshot(long step, Path dir) {}

  /**
   * The snapshots a pretrain task's result lists ({@code snapshots: [{step, pairsSeen, path}]}),
   * each checked against what the task declared as {@code trained-run-snapshot}.
   */
  private static List<Snapshot> snapshots(TaskOutputs task, String taskName, StageSpec pretrain) {
    List<Snapshot> out = new ArrayList<>();
    if (task == null || task.result() == null) {
      return out;
    }
    Set<String> declared = new LinkedHashSet<>();
    task.ofKind(OutputKind.TRAINED_RUN_SNAPSHOT).forEach(d -> declared.add(d.getPath()));
    JsonArray list;
    try {
      list = new JsonObject(task.result()).getJsonArray("snapshots");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("task " + pretrain.name() + "/" + taskName + ": its result is not JSON with a"
          + " 'snapshots' list: " + e.getMessage(), e);
    }
    if (list == null) {
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonObject s = list.getJsonObject(i);
      String path = s.getString("path");
      if (!declared.contains(path)) {
        throw new IllegalArgumentException("task " + pretrain.name() + "/" + taskName + " lists snapshot " + path
            + " in its result but did not declare it as " + OutputKind.TRAINED_RUN_SNAPSHOT + " (declared: " + declared + ")");
      }
      out.add(new Snapshot(s.getLong("step"), Path.of(path)));
    }
    return out;
  }

  /**
   * One pretrained encoder to evaluate: (run, seed), its plugins, and the trained-run directory its
   * task declared; or an external checkpoint, {@code dir} its file and {@code checkpoint} the run
   * spec to read it into (null for a run).
   */
  private record Pretrained(String name, long seed, String encoder, String textEncoder, boolean clip, Path dir,
      List<Snapshot> snapshots, Map<String, Object> checkpoint) {

    Pretrained(String name, long seed, String encoder, String textEncoder, boolean clip, Path dir, List<Snapshot> snapshots) {
      this(name, seed, encoder, textEncoder, clip, dir, snapshots, null);
    }

    /** A task config for this model: {@code config}, plus the checkpoint's run spec for an external checkpoint. */
    Map<String, Object> config(Map<String, Object> config) {
      if (checkpoint == null) {
        return config;
      }
      Map<String, Object> c = new LinkedHashMap<>(config);
      c.put("checkpoint", checkpoint);
      return c;
    }
  }

  /**
   * The runs of the {@code pretrain} stage in {@code after} (each run x seed), or else the one
   * run of the {@code pretrain-gang} stage there.
   */
  private static List<Pretrained> pretrained(PlanningInput input, StageSpec stage) {
    List<Pretrained> out = new ArrayList<>();
    StageSpec gang = PipelineParams.optionalAfterOfKind(input.job(), stage, PretrainGangStagePlanner.KIND);
    if (gang != null && PipelineParams.optionalAfterOfKind(input.job(), stage, PretrainStagePlanner.KIND) == null) {
      PretrainGangStagePlanner.Run run = PretrainGangStagePlanner.run(gang);
      out.add(new Pretrained(run.name(), run.seed(), (String) run.spec().get("imageEncoder"),
          (String) run.spec().get("textEncoder"), true, PretrainGangStagePlanner.outputs(input, gang.name()), List.of()));
      return out;
    }
    StageSpec pretrain = PipelineParams.afterOfKind(input.job(), stage, PretrainStagePlanner.KIND);
    Map<String, Path> trained = PretrainStagePlanner.outputs(input, pretrain.name());
    Map<String, TaskOutputs> tasks = input.tasksOf(pretrain.name());
    SpecCheck pretrainCheck = PipelineParams.reading();
    List<PretrainStagePlanner.Run> runs = PretrainStagePlanner.runs(pretrain, pretrainCheck);
    List<Long> seeds = PretrainStagePlanner.seeds(pretrain, pretrainCheck);
    PipelineParams.requireOk(pretrainCheck, pretrain);
    for (PretrainStagePlanner.Run run : runs) {
      for (long seed : seeds) {
        String task = PretrainStagePlanner.taskName(run.name(), seed);
        Path dir = require(trained, task, pretrain);
        out.add(new Pretrained(run.name(), seed, run.encoder(), (String) run.spec().get("textEncoder"),
            run.objective().equals("clip"), dir, snapshots(tasks.get(task), task, pretrain)));
      }
    }
    return out;
  }

  private static Path require(Map<String, Path> dirs, String task, StageSpec stage) {
    Path p = dirs.get(task);
    if (p == null) {
      throw new IllegalArgumentException("stage '" + stage.name() + "' declared no " + OutputKind.TRAINED_RUN + " output for task '"
          + task + "'; its tasks that did: " + dirs.keySet());
    }
    return p;
  }
}
