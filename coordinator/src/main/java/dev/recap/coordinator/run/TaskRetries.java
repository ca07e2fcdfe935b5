package dev.recap.coordinator.run;

import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.lease.Lease;
import dev.recap.coordinator.lease.LeaseTable;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an attempt that is lost (its worker failed it, left, or let its lease expire):
 * the task is re-queued while the job's attempts last and the failure is retryable, otherwise the
 * job fails.
 */
final class TaskRetries {

  private static final Logger LOG = LoggerFactory.getLogger(TaskRetries.class);

  private final Object lock;
  private final JobTable jobs;
  private final LeaseTable leases;
  private final JobJournal journal;
  private final CoordinatorMetrics metrics;
  private final JobEvents events;
  private final JobOutcomes outcomes;
  private final Dispatcher dispatcher;

  TaskRetries(Object lock, JobTable jobs, LeaseTable leases, JobJournal journal, CoordinatorMetrics metrics,
      JobEvents events, JobOutcomes outcomes, Dispatcher dispatcher) {
    this.lock = lock;
    this.jobs = jobs;
    this.leases = leases;
    this.journal = journal;
    this.metrics = metrics;
    this.events = events;
    this.outcomes = outcomes;
    this.dispatcher = dispatcher;
  }

  /** The lease's attempt is over without a result. Caller holds the lock. */
  void attemptLost(Lease lease, String cause, boolean retryable) {
    JobRun job = jobs.get(lease.task().jobId());
    TaskRun task = job == null ? null : job.tasks.get(lease.task().taskId());
    if (task == null || task.done || !job.state.equals("RUNNING")) {
      return;
    }
    task.lastCause = cause;
    job.telemetry.taskEnded(task.stage, task.taskId);
    journal.append(new JsonObject().put("type", "attempt-failed").put("jobId", job.jobId).put("taskId", task.taskId)
        .put("attempt", lease.attempt()).put("cause", cause));
    if (retryable && lease.attempt() < job.spec.maxAttempts()) {
      job.retries++;
      metrics.retried();
      leases.requeue(lease.task());
      events.event(job, "TASK_RETRIED", task.stage, task.taskId, cause);
      LOG.info("task {} attempt {} lost ({}); re-queued", task.taskId, lease.attempt(), cause);
      dispatcher.dispatch();
    } else {
      outcomes.fail(job, "task " + task.taskId + " failed after " + lease.attempt() + " attempt(s): " + cause);
    }
  }

  /** Every lease past its deadline loses its attempt. */
  void expireLeases() {
    synchronized (lock) {
      for (Lease l : leases.expire()) {
        attemptLost(l, "lease expired: worker " + l.workerId() + " stopped renewing it", true);
      }
    }
  }
}
