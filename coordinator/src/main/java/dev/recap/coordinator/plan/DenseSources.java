package dev.recap.coordinator.plan;

import dev.recap.bus.DenseFormat;
import dev.recap.bus.OutputKind;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which stage's data each dense task of an {@code evaluate} stage is trained and scored on. With
 * {@code dense-data} stages in its {@code after}, each dense task comes from the one whose format
 * serves it (segmentation from {@code ade20k}, depth from {@code nyuv2}), and the synth-data stage
 * only feeds pretraining and retrieval; without any, both come from the one {@code synth-data}
 * stage there. The data is what the source stage declared: a synth-data stage's
 * {@code dense-folder}s or a dense-data stage's {@code dense-index}es, never file names.
 */
final class DenseSources {

  private DenseSources() {}

  /**
   * At submission: with dense-data stages in {@code after}, records a problem on {@code tasks}
   * for a dense task none of them serves, or two serve. Without any, nothing is checked here (the
   * synth-data stage is looked up when planning, as before).
   *
   * @param tasks the dense tasks asked for; entries not in {@code known} are left to the stage's own checks
   */
  static void check(JobSpec job, StageSpec stage, List<String> tasks, List<String> known, SpecCheck check) {
    if (benchmarksAfter(job, stage).isEmpty()) {
      return;
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (!known.contains(tasks.get(i))) {
        continue;
      }
      try {
        source(job, stage, tasks.get(i));
      } catch (IllegalArgumentException e) {
        check.problem(stage.params().containsKey("tasks") ? stage.field("tasks") + "[" + i + "]"
            : stage.field("tasks") + " (default " + known + ")", e.getMessage());
      }
    }
  }

  /**
   * The stage in {@code stage.after()} whose data dense {@code task} is trained and scored on.
   *
   * @throws IllegalArgumentException when no dense-data stage serves the task or two do, or (with
   *     none in {@code after}) there is not exactly one synth-data stage
   */
  static StageSpec source(JobSpec job, StageSpec stage, String task) {
    List<StageSpec> benchmarks = benchmarksAfter(job, stage);
    if (benchmarks.isEmpty()) {
      return PipelineParams.afterOfKind(job, stage, SynthDataStagePlanner.KIND);
    }
    List<StageSpec> serving = new ArrayList<>();
    List<String> offered = new ArrayList<>();
    for (StageSpec b : benchmarks) {
      DenseFormat format = DenseDataStagePlanner.formatOf(b);
      offered.add(b.name() + " (" + (format == null ? "no valid format" : format + ": " + format.task()) + ")");
      if (format != null && format.task().equals(task)) {
        serving.add(b);
      }
    }
    if (serving.size() == 1) {
      return serving.get(0);
    }
    if (serving.isEmpty()) {
      String wanted = Arrays.stream(DenseFormat.values()).filter(f -> f.task().equals(task)).map(DenseFormat::wireName)
          .findFirst().orElse("?");
      throw new IllegalArgumentException("stage '" + stage.name() + "' evaluates " + task + ", but no dense-data stage in"
          + " 'after' has " + task + " data " + offered + ": add a dense-data stage with format " + wanted + " to 'after',"
          + " or leave " + task + " out of 'tasks'");
    }
    throw new IllegalArgumentException("stage '" + stage.name() + "' evaluates " + task + " and " + serving.size()
        + " dense-data stages in 'after' have " + task + " data " + serving.stream().map(StageSpec::name).toList()
        + "; keep one of them in 'after'");
  }

  /**
   * Dense task -> [train, test]: the paths its source stage declared.
   *
   * @throws IllegalArgumentException naming the stage and the output kind it did not declare
   */
  static Map<String, List<String>> paths(PlanningInput input, StageSpec stage, List<String> tasks) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String task : tasks) {
      StageSpec source = source(input.job(), stage, task);
      boolean benchmark = source.kind().equals(DenseDataStagePlanner.KIND);
      List<String> paths = new ArrayList<>();
      for (String split : DenseDataStagePlanner.SPLITS) {
        paths.add((benchmark
            ? input.outputOf(source.name(), split, OutputKind.DENSE_INDEX)
            : input.outputOf(source.name(), "dense-" + split, OutputKind.DENSE_FOLDER)).toString());
      }
      out.put(task, paths);
    }
    return out;
  }

  /** The dense-data stages in {@code stage.after()}. */
  private static List<StageSpec> benchmarksAfter(JobSpec job, StageSpec stage) {
    List<StageSpec> out = new ArrayList<>();
    for (String name : stage.after()) {
      job.stage(name).filter(s -> s.kind().equals(DenseDataStagePlanner.KIND)).ifPresent(out::add);
    }
    return out;
  }
}
