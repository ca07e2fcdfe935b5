package dev.recap.coordinator.plan;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.coordinator.spec.JobSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a planner may use: the job spec and what the tasks of the stages it depends on declared.
 * Planners find another stage's outputs by kind ({@link #outputsOf}), never by rebuilding its
 * file names.
 *
 * @param jobId the job's id
 * @param dependencies stage name -> task name -> what the task declared, for every stage in {@code after}
 * @param skipped stage name -> why it was skipped (the job's budget), for the job's stages skipped so far
 */
public record PlanningInput(String jobId, JobSpec job, Map<String, Map<String, TaskOutputs>> dependencies,
    Map<String, String> skipped) {

  public PlanningInput {
    skipped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
  }

  /** No stage skipped. */
  public PlanningInput(String jobId, JobSpec job, Map<String, Map<String, TaskOutputs>> dependencies) {
    this(jobId, job, dependencies, Map.of());
  }

  /** The finished tasks of {@code stageName}, by task name, sorted by name. */
  public Map<String, TaskOutputs> tasksOf(String stageName) {
    Map<String, TaskOutputs> tasks = dependencies.get(stageName);
    if (tasks == null) {
      throw new IllegalArgumentException("no outputs of stage '" + stageName + "' in the planning input; it must be listed in"
          + " 'after' (stages there: " + dependencies.keySet() + ")");
    }
    return new TreeMap<>(tasks);
  }

  /**
   * Task name -> the path of its output of {@code kind}, for every task of {@code stageName} that
   * declared one, sorted by task name.
   *
   * @throws IllegalArgumentException if no task of the stage declared that kind (naming what they
   *     did declare), or a task declared it more than once
   */
  public Map<String, Path> outputsOf(String stageName, OutputKind kind) {
    Map<String, Path> out = new LinkedHashMap<>();
    Set<String> declaredKinds = new LinkedHashSet<>();
    for (Map.Entry<String, TaskOutputs> task : tasksOf(stageName).entrySet()) {
      declaredKinds.addAll(task.getValue().kinds());
      List<DeclaredOutput> found = task.getValue().ofKind(kind);
      if (found.size() > 1) {
        throw new IllegalArgumentException("task " + stageName + "/" + task.getKey() + " declared " + found.size() + " "
            + kind + " outputs " + found.stream().map(DeclaredOutput::getPath).toList() + "; a later stage can use one");
      }
      if (found.size() == 1) {
        out.put(task.getKey(), Path.of(found.get(0).getPath()));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("stage '" + stageName + "' declared no " + kind + " output; its tasks declared "
          + (declaredKinds.isEmpty() ? "nothing" : declaredKinds) + ". Is it a stage of the kind this one needs in 'after'?"
          + " (A worker older than declared outputs declares nothing: run the same Recap version everywhere.)");
    }
    return out;
  }

  /**
   * The path of the output of {@code kind} that task {@code taskName} of {@code stageName} declared.
   *
   * @throws IllegalArgumentException naming the stage, the task and what is there instead
   */
  public Path outputOf(String stageName, String taskName, OutputKind kind) {
    Map<String, Path> outputs = outputsOf(stageName, kind);
    Path p = outputs.get(taskName);
    if (p == null) {
      TaskOutputs task = tasksOf(stageName).get(taskName);
      throw new IllegalArgumentException(task == null
          ? "stage '" + stageName + "' has no task '" + taskName + "'; its tasks: " + tasksOf(stageName).keySet()
          : "task " + stageName + "/" + taskName + " declared no " + kind + " output; it declared " + task.kinds());
    }
    return p;
  }
}
