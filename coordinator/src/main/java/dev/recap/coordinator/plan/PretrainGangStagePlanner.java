package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.PretrainGangTask;
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
 * The {@code pretrain-gang} stage: one CLIP run, data-parallel over an elastic gang of workers,
 * on the training pairs of the data stage in {@code after} ({@code synth-data} or {@code dataset};
 * or the WebDataset tars listed in {@code shards}), optionally on the curated captions of the {@code curate} stage(s) in
 * {@code after}.
 *
 * <p>It plans {@code workers} member slots (tasks {@code member-00} ...), each leased to one
 * capable worker like any task. The workers holding slots put themselves on the run's roster in
 * Hazelcast and form gangs from it (see {@code dev.recap.worker.train.GangMember}): the first
 * joiner leads, gangs re-form at every {@code stepsPerRange} boundary (admitting workers that
 * leased a slot meanwhile) and whenever a member dies. A dead worker's slot is re-queued by the
 * lease machinery and taken by the next capable worker, which joins at the next boundary. A slot
 * leased after the run finished returns at once. Coordinator restart: the journal re-plans the
 * same slots; workers resume from the in-memory commit, else the last checkpoint on disk.
 *
 * <p>Batch semantics: {@code batchSize} is the global batch, fixed; N workers take
 * {@code batchSize / N} rows each (remainders spread over ranks), so the loss, gradient and
 * learning-rate schedule of a step do not depend on N. Steps: {@code epochs} x
 * floor(samples / batchSize), capped by {@code maxSteps}.
 *
 * <p>Parameters. The gang: {@code workers} (max gang size, default 2), {@code minWorkers}
 * (default 1: the first gang waits for this many), {@code stepsPerRange} (10),
 * {@code checksumEvery} (10), {@code checkpointEvery} (20), {@code maxConsecutiveSkips} (5),
 * {@code operationTimeoutSeconds} (60). The run, named as in the {@code pretrain} stage and with
 * its defaults: {@code run} (name in results, default the stage name), {@code seed} (1),
 * {@code captions} (curate source; absent: the shards' original captions),
 * {@code curatedProbability} (1.0), {@code encoder} (vit), {@code encoderConfig}
 * ({@code {preset: vit-tiny}}), {@code text} (text-transformer), {@code textConfig}
 * ({@code {preset: text-tiny}}), {@code embedDim} (128), {@code imageSize} (64),
 * {@code batchSize} (128), {@code epochs} (1), {@code maxSteps} (0 = no cap),
 * {@code learningRate} (5e-4), {@code warmupSteps} (20), {@code augment}
 * ({@code {minScale: 0.9, flip: false}}, OpenCLIP's training crop), {@code init} (a checkpoint
 * every replica starts from, as in {@code pretrain}); {@code shards} (list of tar paths, instead
 * of a synth-data stage).
 */
public final class PretrainGangStagePlanner implements StagePlanner {

  /** The kind. */
  public static final String KIND = "pretrain-gang";

  /** The task type of a member slot. */
  public static final String TASK_TYPE = "pretrain-gang-member";

  private static final Set<String> PARAMS = Set.of("workers", "minWorkers", "stepsPerRange", "checksumEvery",
      "checkpointEvery", "maxConsecutiveSkips", "operationTimeoutSeconds", "run", "seed", "captions",
      "curatedProbability", "encoder", "encoderConfig", "text", "textConfig", "embedDim", "imageSize", "batchSize",
      "epochs", "maxSteps", "learningRate", "warmupSteps", "shards", "augment", "init");

  /** The stage's parameters as read; {@code template} has no shards or sidecars yet. */
  private record Params(PretrainGangTask.Builder template, Map<String, Object> spec, List<String> shards) {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    Params p = read(stage, check, stage.name());
    check.requirePlugin(stage.field("encoder"), (String) p.spec.get("imageEncoder"));
    check.requirePlugin(stage.field("text"), (String) p.spec.get("textEncoder"));
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    Params p = read(stage, check, input.jobId() + "/" + stage.name());
    PipelineParams.requireOk(check, stage);
    List<String> shards = new ArrayList<>(p.shards);
    if (shards.isEmpty()) {
      PipelineParams.imageTextSource(input, stage).trainingShards().forEach(s -> shards.add(s.toString()));
    }
    List<String> sidecars = new ArrayList<>();
    String captions = p.template.getCaptions();
    if (!captions.isEmpty()) {
      List<String> curates = new ArrayList<>();
      for (String name : stage.after()) {
        input.job().stage(name).filter(s -> s.kind().equals(CurateStagePlanner.KIND)).ifPresent(s -> curates.add(s.name()));
      }
      for (String curate : curates) {
        sidecars.addAll(CurateStagePlanner.sidecars(input, curate, captions));
      }
      if (sidecars.isEmpty()) {
        throw new IllegalArgumentException(stage.field("captions") + ": no sidecars of source '" + captions
            + "' in the curate stage(s) " + curates + " of 'after' " + stage.after() + "; their sources must include it");
      }
    }
    PretrainGangTask template = p.template.setShards(shards).setSidecars(sidecars).build();
    Set<String> plugins = new LinkedHashSet<>(List.of((String) p.spec.get("imageEncoder"), (String) p.spec.get("textEncoder")));
    List<PlannedTask> slots = new ArrayList<>();
    for (int i = 0; i < template.getMaxWorkers(); i++) {
      PretrainGangTask slot = PretrainGangTask.newBuilder(template).setSlot(i).build();
      slots.add(new PlannedTask(String.format("member-%02d", i), TASK_TYPE, slot, plugins));
    }
    return slots;
  }

  /** The run a stage trains, as the {@code evaluate} stage needs it: name, seed, ClipRunSpec fields. */
  record Run(String name, long seed, Map<String, Object> spec) {}

  /** The stage's run; throws on parameters validation would have rejected. */
  static Run run(StageSpec stage) {
    SpecCheck check = PipelineParams.reading();
    Params p = read(stage, check, stage.name());
    PipelineParams.requireOk(check, stage);
    return new Run(p.template.getRun(), p.template.getSeed(), p.spec);
  }

  /**
   * The run's {@code trained-run} directory: the one slot that declared one (rank 0 of the gang
   * that committed the last step writes the run's outputs).
   */
  static Path outputs(PlanningInput input, String stageName) {
    Map<String, Path> trained = input.outputsOf(stageName, OutputKind.TRAINED_RUN);
    if (trained.size() != 1) {
      throw new IllegalArgumentException("stage '" + stageName + "' trains one run, but slots " + trained.keySet()
          + " each declared a " + OutputKind.TRAINED_RUN + " output");
    }
    return trained.values().iterator().next();
  }

  private static Params read(StageSpec stage, SpecCheck check, String runId) {
    int workers = check.intParam(stage, "workers", 2, 1, 64);
    int minWorkers = check.intParam(stage, "minWorkers", 1, 1, 64);
    if (minWorkers > workers) {
      check.problem(stage.field("minWorkers"), "must be at most workers (" + workers + "), got " + minWorkers);
    }
    int batchSize = check.intParam(stage, "batchSize", 128, 1, 1 << 20);
    if (workers > batchSize) {
      check.problem(stage.field("workers"), "a gang of " + workers + " cannot split a global batch (batchSize) of " + batchSize);
    }
    String run = check.stringParam(stage, "run", stage.name());
    if (!run.matches("[A-Za-z0-9_-]{1,64}")) {
      check.problem(stage.field("run"), "must be 1-64 letters, digits, '-', '_', got '" + run + "'");
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("objective", "clip");
    spec.put("imageEncoder", check.stringParam(stage, "encoder", "vit"));
    spec.put("imageConfig", PipelineParams.mapParam(check, stage, "encoderConfig", Map.of("preset", "vit-tiny")));
    spec.put("textEncoder", check.stringParam(stage, "text", "text-transformer"));
    spec.put("textConfig", PipelineParams.mapParam(check, stage, "textConfig", Map.of("preset", "text-tiny")));
    spec.put("embedDim", check.intParam(stage, "embedDim", 128, 1, 1 << 16));
    spec.put("imageSize", check.intParam(stage, "imageSize", 64, 8, 4096));
    spec.put("batchSize", batchSize);
    spec.put("epochs", check.intParam(stage, "epochs", 1, 1, 100_000));
    long maxSteps = check.longParam(stage, "maxSteps", 0);
    if (maxSteps < 0) {
      check.problem(stage.field("maxSteps"), "must be 0 (no cap) or more, got " + maxSteps);
    }
    spec.put("maxSteps", Math.max(0, maxSteps));
    spec.put("learningRate", PipelineParams.doubleParam(check, stage, "learningRate", 5e-4, 1e-9, 10));
    spec.put("warmupSteps", Math.max(0, check.longParam(stage, "warmupSteps", 20)));
    spec.put("curatedProbability", PipelineParams.doubleParam(check, stage, "curatedProbability", 1.0, 0, 1));
    spec.put("loaderThreads", 1);
    spec.put("augment", PipelineParams.augment(check, stage.field("augment"), stage.params().get("augment"),
        PipelineParams.defaultAugment()));
    spec.put("init", PipelineParams.checkpointFile(check, stage.field("init"), stage.params().get("init")));
    PretrainGangTask.Builder template = PretrainGangTask.newBuilder().setRunId(runId).setSlot(0).setRun(run)
        .setSeed(check.longParam(stage, "seed", 1)).setSpec(PipelineParams.json(spec))
        .setCaptions(check.stringParam(stage, "captions", ""))
        .setShards(List.of()).setSidecars(List.of())
        .setStepsPerRange(check.intParam(stage, "stepsPerRange", 10, 1, 1 << 20))
        .setMinWorkers(minWorkers).setMaxWorkers(workers)
        .setChecksumEvery(check.intParam(stage, "checksumEvery", 10, 0, 1 << 20))
        .setCheckpointEvery(check.intParam(stage, "checkpointEvery", 20, 1, 1 << 20))
        .setMaxConsecutiveSkips(check.intParam(stage, "maxConsecutiveSkips", 5, 0, 1000))
        .setOperationTimeoutSeconds(check.intParam(stage, "operationTimeoutSeconds", 60, 1, 3600));
    return new Params(template, spec, check.stringListParam(stage, "shards"));
  }
}
