package dev.recap.coordinator.plan;

import dev.recap.bus.task.SynthDataTask;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import dev.recap.bus.OutputKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code synth-data} stage: the experiment's data from a sample source, one task per shard or
 * dense split, all from one generator seed (disjoint index ranges, so no image is in two parts).
 *
 * <p>Parameters: {@code source} (SampleSource id, default {@code synth-scenes}),
 * {@code sourceConfig} (mapping, default {@code {preset: synth-64}}), {@code pairs} (image-text
 * pairs for CLIP, default 4000), {@code shardSize} (default 500), {@code referenceFraction}
 * (share of the pairs, from the start, also written as the reference shard whose quality captions
 * the learned captioner trains on; default 0.05), {@code heldOut} (pairs for retrieval, default
 * 256), {@code denseTrain} / {@code denseTest} (dense split sizes, defaults 400 / 100),
 * {@code dataSeed} (default: the job's seed).
 *
 * <p>Tasks: {@code pairs-00000...}, {@code reference-00000}, {@code heldout-00000} (each declares a
 * {@code pairs-shard} and its {@code manifest}), {@code dense-train}, {@code dense-test} (each a
 * {@code dense-folder}).
 */
public final class SynthDataStagePlanner implements StagePlanner {

  /** The kind and the task type. */
  public static final String KIND = "synth-data";

  private static final Set<String> PARAMS = Set.of("source", "sourceConfig", "pairs", "shardSize", "referenceFraction",
      "heldOut", "denseTrain", "denseTest", "dataSeed");

  @Override
  public String kind() {
    return KIND;
  }

  private record Params(String source, Map<String, Object> sourceConfig, int pairs, int shardSize, double referenceFraction,
      int heldOut, int denseTrain, int denseTest, Long dataSeed) {}

  private static Params read(StageSpec stage, SpecCheck check) {
    Long seed = stage.params().containsKey("dataSeed") ? check.longParam(stage, "dataSeed", 0) : null;
    return new Params(check.stringParam(stage, "source", "synth-scenes"),
        PipelineParams.mapParam(check, stage, "sourceConfig", Map.of("preset", "synth-64")),
        check.intParam(stage, "pairs", 4000, 1, 10_000_000), check.intParam(stage, "shardSize", 500, 1, 1_000_000),
        PipelineParams.doubleParam(check, stage, "referenceFraction", 0.05, 0, 1),
        check.intParam(stage, "heldOut", 256, 1, 1_000_000), check.intParam(stage, "denseTrain", 400, 1, 1_000_000),
        check.intParam(stage, "denseTest", 100, 1, 1_000_000), seed);
  }

  @Override
  public void validate(StageSpec stage, SpecCheck check) {
    check.rejectUnknownParams(stage, PARAMS);
    Params p = read(stage, check);
    check.requirePlugin(stage.field("source"), p.source);
  }

  @Override
  public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
    SpecCheck check = PipelineParams.reading();
    Params p = read(stage, check);
    PipelineParams.requireOk(check, stage);
    long seed = p.dataSeed != null ? p.dataSeed : input.job().seed();
    String config = PipelineParams.json(p.sourceConfig);
    Set<String> requires = Set.of(p.source);
    List<PlannedTask> tasks = new ArrayList<>();
    int shard = 0;
    for (long from = 0; from < p.pairs; from += p.shardSize) {
      long to = Math.min(p.pairs, from + p.shardSize);
      tasks.add(task(String.format(Locale.ROOT, "pairs-%05d", shard++), "pairs", from, to, p.source, config, seed, requires));
    }
    long references = (long) Math.ceil(p.referenceFraction * p.pairs - 1e-9);
    if (references > 0) {
      tasks.add(task("reference-00000", "reference", 0, references, p.source, config, seed, requires));
    }
    long next = p.pairs;
    tasks.add(task("heldout-00000", "heldout", next, next + p.heldOut, p.source, config, seed, requires));
    next += p.heldOut;
    tasks.add(task("dense-train", "dense", next, next + p.denseTrain, p.source, config, seed, requires));
    next += p.denseTrain;
    tasks.add(task("dense-test", "dense", next, next + p.denseTest, p.source, config, seed, requires));
    return tasks;
  }

  /**
   * The {@code pairs-shard}s of one part ({@code pairs}, {@code reference}, {@code heldout}) that
   * a synth-data stage declared, by task name.
   *
   * @throws IllegalArgumentException if the stage declared none of that part
   */
  static Map<String, Path> shards(PlanningInput input, String stageName, String part) {
    Map<String, Path> shards = new LinkedHashMap<>();
    input.outputsOf(stageName, OutputKind.PAIRS_SHARD).forEach((task, path) -> {
      if (task.startsWith(part + "-")) {
        shards.put(task, path);
      }
    });
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("stage '" + stageName + "' declared no " + OutputKind.PAIRS_SHARD + " output of its "
          + part + " tasks (" + part + "-00000, ...)" + (part.equals("reference") ? ": set its referenceFraction above 0" : ""));
    }
    return shards;
  }

  /** The pairs a synth-data stage declared: its pairs, held-out and reference tasks' shards. */
  static ImageTextData pairs(PlanningInput input, StageSpec stage) {
    Map<String, Path> training = new LinkedHashMap<>();
    input.outputsOf(stage.name(), OutputKind.PAIRS_SHARD).forEach((task, path) -> {
      if (task.startsWith("pairs-")) {
        training.put(task.substring("pairs-".length()), path);
      }
    });
    return new ImageTextData(stage, training, part(input, stage.name(), "heldout"), part(input, stage.name(), "reference"));
  }

  /** The shards of one part, or none (the planner that needs them says what to set). */
  private static List<Path> part(PlanningInput input, String stageName, String part) {
    List<Path> out = new ArrayList<>();
    input.outputsOf(stageName, OutputKind.PAIRS_SHARD).forEach((task, path) -> {
      if (task.startsWith(part + "-")) {
        out.add(path);
      }
    });
    return out;
  }

  private static PlannedTask task(String name, String part, long from, long to, String source, String config, long seed,
      Set<String> requires) {
    return new PlannedTask(name, KIND, new SynthDataTask(part, from, to, source, config, seed), requires);
  }
}
