package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.bus.SingleObjectFormat;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.lease.QueuedTask;
import dev.recap.coordinator.plan.PlannedTask;
import dev.recap.coordinator.plan.PlanningInput;
import dev.recap.coordinator.plan.StagePlanner;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.run.JobRun.TaskRun;
import dev.recap.coordinator.spec.Budget;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecProblem;
import dev.recap.coordinator.spec.StageSpec;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Checks a job's stages with their planners, and turns every stage whose dependencies are complete
 * into queued tasks (tasks the journal says are done are not queued again). A job whose stages are
 * all complete succeeds. Called under the coordinator's lock.
 */
final class StagePlanning {

  private final StagePlanners planners;
  private final SingleObjectFormat format;
  private final LeaseTable leases;
  private final JobEvents events;
  private final JobOutcomes outcomes;
  private final LongSupplier clock;

  StagePlanning(StagePlanners planners, SingleObjectFormat format, LeaseTable leases, JobEvents events,
      JobOutcomes outcomes, LongSupplier clock) {
    this.planners = planners;
    this.format = format;
    this.leases = leases;
    this.events = events;
    this.outcomes = outcomes;
    this.clock = clock;
  }

  /** Checks every stage with its planner; {@code check} carries the live plugins. */
  List<SpecProblem> validate(JobSpec spec, SpecCheck check) {
    for (StageSpec stage : spec.stages()) {
      StagePlanner planner = planners.get(stage.kind());
      if (planner == null) {
        check.problem(stage.path() + ".kind", "unknown stage kind '" + stage.kind() + "'; known kinds: "
            + new TreeSet<>(planners.kinds()));
      } else {
        planner.validate(stage, spec, check);
      }
    }
    return check.problems();
  }

  /** Plans every stage that is ready, repeatedly (a stage of no tasks completes at once), then ends a finished job. */
  void planReadyStages(JobRun job) {
    boolean changed = true;
    while (changed && job.state.equals("RUNNING")) {
      changed = false;
      for (StageRun stage : job.stages.values()) {
        if (stage.planned || !stage.spec.after().stream().allMatch(a -> job.stages.get(a).complete())) {
          continue;
        }
        String skip = reasonToSkip(job, stage);
        if (skip != null) {
          stage.planned = true;
          stage.skipped = skip;
          stage.plannedAtMillis = clock.getAsLong();
          stage.completedAtMillis = stage.plannedAtMillis;
          changed = true;
          events.event(job, "STAGE_SKIPPED", stage.spec.name(), null, skip);
          continue;
        }
        Map<String, Map<String, TaskOutputs>> deps = new LinkedHashMap<>();
        for (String a : stage.spec.after()) {
          Map<String, TaskOutputs> outs = new LinkedHashMap<>();
          for (String id : job.stages.get(a).taskIds) {
            TaskRun t = job.tasks.get(id);
            outs.put(t.planned.name(), t.outputs);
          }
          deps.put(a, outs);
        }
        List<PlannedTask> planned;
        try {
          planned = planners.get(stage.spec.kind()).plan(stage.spec, new PlanningInput(job.jobId, job.spec, deps, skippedStages(job)));
        } catch (RuntimeException e) {
          outcomes.fail(job, "planning stage " + stage.spec.name() + " failed: " + e);
          return;
        }
        stage.planned = true;
        stage.plannedAtMillis = clock.getAsLong();
        if (planned.isEmpty()) {
          stage.completedAtMillis = stage.plannedAtMillis;
        }
        changed = true;
        job.telemetry.stagePlanned(stage.spec.name(), clock.getAsLong());
        for (PlannedTask p : planned) {
          String taskId = job.jobId + "/" + stage.spec.name() + "/" + p.name();
          if (job.tasks.containsKey(taskId)) {
            outcomes.fail(job, "planner of stage " + stage.spec.name() + " produced task name '" + p.name() + "' twice");
            return;
          }
          ByteBuffer payload = format.encode(p.payload());
          TaskRun t = new TaskRun(taskId, stage.spec.name(), p, payload,
              taskSeed(job.spec.seed(), stage.spec.name() + "/" + p.name()));
          t.attempts = job.recoveredAttempts.getOrDefault(taskId, 0);
          job.tasks.put(taskId, t);
          stage.taskIds.add(taskId);
          TaskOutputs done = job.recoveredDone.remove(taskId);
          if (done != null) {
            t.done = true;
            t.outputs = done;
            stage.done++;
          } else {
            leases.enqueue(new QueuedTask(taskId, job.jobId, p.taskType(), p.requiredPlugins(), t.attempts,
                job.spec.leaseSeconds() * 1000L));
          }
        }
        events.event(job, "STAGE_PLANNED", stage.spec.name(), null, planned.size() + " task(s)");
      }
    }
    if (job.state.equals("RUNNING") && job.stages.values().stream().allMatch(StageRun::complete)) {
      outcomes.succeed(job);
    }
  }

  /** Stamps the time a stage's last task finished. */
  void stageCompleted(StageRun stage) {
    stage.completedAtMillis = clock.getAsLong();
  }

  /**
   * Why {@code stage} is not to run, or null: it needs a stage that was skipped (a report never
   * is: it reports what ran and what was skipped), or it has {@code withinBudget} and the time
   * the job has spent plus the wall time of the stages named there (each from its planning to its
   * last task's end) would overrun the job's budget.
   */
  String reasonToSkip(JobRun job, StageRun stage) {
    if (!stage.spec.kind().equals("report")) {
      for (String a : stage.spec.after()) {
        if (job.stages.get(a).skipped != null) {
          return "skipped because it needs stage '" + a + "', which was skipped";
        }
      }
    }
    List<String> like = JobSpecParser.withinBudget(stage.spec);
    if (like.isEmpty() || job.spec.budgetSeconds() <= 0) {
      return null;
    }
    long predicted = 0;
    for (String name : like) {
      StageRun s = job.stages.get(name);
      predicted += s == null || s.skipped != null ? 0 : Math.max(0, s.completedAtMillis - s.plannedAtMillis);
    }
    long elapsed = clock.getAsLong() - job.submittedAtMillis;
    long budget = job.spec.budgetSeconds() * 1000;
    if (elapsed + predicted <= budget) {
      return null;
    }
    return String.format(java.util.Locale.ROOT, "not started: the budget is %s, %s has been spent, and %s took %s, so it"
        + " would end at about %s", Budget.format(job.spec.budgetSeconds()), Budget.format(elapsed / 1000), like,
        Budget.format(predicted / 1000), Budget.format((elapsed + predicted) / 1000));
  }

  /** Stage name -> why it was skipped, for every stage of the job skipped so far. */
  static Map<String, String> skippedStages(JobRun job) {
    Map<String, String> out = new LinkedHashMap<>();
    job.stages.forEach((name, s) -> {
      if (s.skipped != null) {
        out.put(name, s.skipped);
      }
    });
    return out;
  }

  /**
   * A task's seed: fixed by the job seed and the task's place in the spec ({@code <stage>/<task>},
   * not the job id, which changes with every submission), so every attempt and every
   * resubmission of the same spec sees the same seed.
   */
  static long taskSeed(long jobSeed, String stageAndTask) {
    long h = jobSeed * 0x9E3779B97F4A7C15L + stageAndTask.hashCode();
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }
}
