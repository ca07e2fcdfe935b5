package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.bus.msg.TaskFailure;
import dev.recap.bus.msg.TaskResult;
import dev.recap.bus.msg.TaskSuccess;
import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.lease.Lease;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Takes in the results workers report: a success records the task's outputs (journaled, read by
 * the stages that depend on it) and plans what became ready; a failure loses the attempt; a
 * result for a task already done or of an ended job is counted as a duplicate. This is the one
 * place a {@link TaskSuccess}'s outputs are read.
 */
final class ResultIntake {

  private final Object lock;
  private final JobTable jobs;
  private final LeaseTable leases;
  private final JobJournal journal;
  private final CoordinatorMetrics metrics;
  private final JobEvents events;
  private final StagePlanning planning;
  private final Dispatcher dispatcher;
  private final TaskRetries retries;
  private final LiveFeed feed;

  ResultIntake(Object lock, JobTable jobs, LeaseTable leases, JobJournal journal, CoordinatorMetrics metrics,
      JobEvents events, StagePlanning planning, Dispatcher dispatcher, TaskRetries retries, LiveFeed feed) {
    this.lock = lock;
    this.jobs = jobs;
    this.leases = leases;
    this.journal = journal;
    this.metrics = metrics;
    this.events = events;
    this.planning = planning;
    this.dispatcher = dispatcher;
    this.retries = retries;
    this.feed = feed;
  }

  void onResult(Message<TaskResult> m) {
    TaskResult r = m.body();
    synchronized (lock) {
      JobRun job = jobs.get(r.getJobId());
      TaskRun task = job == null ? null : job.tasks.get(r.getTaskId());
      if (task == null || task.done || !job.state.equals("RUNNING")) {
        metrics.duplicate();
      } else if (r.getOutcome() instanceof TaskSuccess s) {
        taskDone(job, task, TaskOutputs.of(s), r);
      } else {
        TaskFailure f = (TaskFailure) r.getOutcome();
        Lease lease = leases.fail(r.getTaskId(), r.getAttempt());
        String cause = f.getErrorType() + ": " + f.getMessage() + " (worker " + r.getWorkerId() + ", attempt "
            + r.getAttempt() + ")";
        if (lease != null) {
          retries.attemptLost(lease, cause, f.getRetryable());
        }
      }
    }
    m.reply(null);
  }

  private void taskDone(JobRun job, TaskRun task, TaskOutputs outputs, TaskResult r) {
    leases.complete(task.taskId);
    task.done = true;
    job.telemetry.taskEnded(task.stage, task.taskId);
    task.outputs = outputs;
    StageRun stage = job.stages.get(task.stage);
    stage.done++;
    journal.append(new JsonObject().put("type", "done").put("jobId", job.jobId).put("taskId", task.taskId)
        .put("attempt", r.getAttempt()).put("worker", r.getWorkerId()).mergeIn(task.outputs.toJson()));
    metrics.done(task.stage);
    if (stage.complete()) {
      planning.stageCompleted(stage);
      events.event(job, "STAGE_DONE", stage.spec.name(), null, stage.done + " task(s)");
      planning.planReadyStages(job);
      dispatcher.dispatch();
    }
    feed.publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
    feed.publish(new JsonObject().put("type", "worker").put("workerId", r.getWorkerId()));
  }
}
