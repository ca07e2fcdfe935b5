package dev.recap.coordinator.plan;

import dev.recap.bus.task.PretrainGangTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code pretrain-gang} stage: elastic data-parallel CLIP pretraining on synthetic pairs.
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
 * <p>Batch semantics: {@code globalBatch} is fixed; N workers take {@code globalBatch / N} each
 * (remainders spread over ranks), so the loss, gradient and learning-rate schedule of a step do
 * not depend on N.
 *
 * <p>Parameters: {@code workers} (max gang size, required), {@code minWorkers} (default 1: the
 * first gang waits for this many), {@code steps}, {@code stepsPerRange} (default 10),
 * {@code globalBatch} (default 32), {@code samples} (default 256), {@code imageSize} (32),
 * {@code image} (ImageEncoder id, default vit), {@code imageConfig} (list of key=value),
 * {@code text} (default text-transformer), {@code textConfig}, {@code embedDim} (32),
 * {@code learningRate} (default 0.001), {@code checksumEvery} (10), {@code checkpointEvery}
 * (20), {@code maxConsecutiveSkips} (5), {@code operationTimeoutSeconds} (60).
 */
public final class PretrainGangStagePlanner implements StagePlanner {

  /** The task type of a member slot. */
  public static final String TASK_TYPE = "pretrain-gang-member";

  private static final Set<String> PARAMS = Set.of("workers", "minWorkers", "steps", "stepsPerRange", "globalBatch",
      "samples", "imageSize", "image", "imageConfig", "text", "textConfig", "embedDim", "learningRate",
      "checksumEvery", "checkpointEvery", "maxConsecutiveSkips", "operationTimeoutSeconds");

  @Override
  public String kind() {
    return "pretrain-gang";
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    read(stage, check, "validate");
    check.requirePlugin(stage.field("image"), check.stringParam(stage, "image", "vit"));
    check.requirePlugin(stage.field("text"), check.stringParam(stage, "text", "text-transformer"));
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    PretrainGangTask template = read(stage, new SpecCheck(null), input.jobId() + "/" + stage.name());
    Set<String> plugins = Set.of(template.getImageEncoder(), template.getTextEncoder());
    List<PlannedTask> slots = new ArrayList<>();
    for (int i = 0; i < template.getMaxWorkers(); i++) {
      PretrainGangTask slot = PretrainGangTask.newBuilder(template).setSlot(i).build();
      slots.add(new PlannedTask(String.format("member-%02d", i), TASK_TYPE, slot, plugins));
    }
    return slots;
  }

  private static PretrainGangTask read(StageSpec stage, SpecCheck check, String runId) {
    int workers = check.intParam(stage, "workers", 2, 1, 64);
    int minWorkers = check.intParam(stage, "minWorkers", 1, 1, 64);
    if (minWorkers > workers) {
      check.problem(stage.field("minWorkers"), "must be at most workers (" + workers + "), got " + minWorkers);
    }
    int globalBatch = check.intParam(stage, "globalBatch", 32, 1, 1 << 20);
    int samples = check.intParam(stage, "samples", 256, 1, 1 << 30);
    if (samples % globalBatch != 0) {
      check.problem(stage.field("samples"), "must be a multiple of globalBatch (" + globalBatch + ") so epochs have"
          + " whole steps, got " + samples);
    }
    if (workers > globalBatch) {
      check.problem(stage.field("workers"), "a gang of " + workers + " cannot split a global batch of " + globalBatch);
    }
    Object lr = stage.params().getOrDefault("learningRate", 0.001);
    double learningRate = 0.001;
    if (lr instanceof Number n && n.doubleValue() > 0) {
      learningRate = n.doubleValue();
    } else {
      check.problem(stage.field("learningRate"), "must be a positive number like 0.001, got " + SpecCheck.describe(lr));
    }
    long steps = check.longParam(stage, "steps", 100);
    if (steps < 1) {
      check.problem(stage.field("steps"), "must be at least 1, got " + steps);
    }
    return PretrainGangTask.newBuilder().setRunId(runId).setSlot(0).setTotalSteps(Math.max(1, steps))
        .setStepsPerRange(check.intParam(stage, "stepsPerRange", 10, 1, 1 << 20))
        .setGlobalBatch(globalBatch).setSamples(samples)
        .setImageSize(check.intParam(stage, "imageSize", 32, 8, 1024))
        .setImageEncoder(check.stringParam(stage, "image", "vit"))
        .setImageConfig(keyValues(stage, check, "imageConfig"))
        .setTextEncoder(check.stringParam(stage, "text", "text-transformer"))
        .setTextConfig(keyValues(stage, check, "textConfig"))
        .setEmbedDim(check.intParam(stage, "embedDim", 32, 1, 1 << 16))
        .setLearningRate(learningRate).setWarmupSteps(2)
        .setMinWorkers(minWorkers).setMaxWorkers(workers)
        .setChecksumEvery(check.intParam(stage, "checksumEvery", 10, 0, 1 << 20))
        .setCheckpointEvery(check.intParam(stage, "checkpointEvery", 20, 1, 1 << 20))
        .setMaxConsecutiveSkips(check.intParam(stage, "maxConsecutiveSkips", 5, 0, 1000))
        .setOperationTimeoutSeconds(check.intParam(stage, "operationTimeoutSeconds", 60, 1, 3600))
        .build();
  }

  private static Map<String, String> keyValues(StageSpec stage, SpecCheck check, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> items = check.stringListParam(stage, key);
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i);
      int eq = item.indexOf('=');
      if (eq <= 0) {
        check.problem(stage.field(key) + "[" + i + "]", "must be key=value, got '" + item + "'");
        continue;
      }
      out.put(item.substring(0, eq), item.substring(eq + 1));
    }
    return out;
  }
}
