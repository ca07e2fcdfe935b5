package dev.recap.coordinator.run;

import dev.recap.bus.Addresses;
import dev.recap.bus.msg.JobEvent;
import dev.recap.bus.msg.MetricEvent;
import dev.recap.bus.msg.TaskProgress;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * Takes in what running tasks and workers report besides results: notes (into the job's log, and
 * forwarded to the job-event address), metrics (into the Prometheus registry and the job's series)
 * and progress fractions (for rates and ETAs).
 */
final class TelemetryIntake {

  /** Progress comes often; the console needs a nudge at most this often, not every message. */
  private static final long PROGRESS_NUDGE_MILLIS = 500;

  private final Object lock;
  private final JobTable jobs;
  private final JobEvents events;
  private final CoordinatorMetrics metrics;
  private final LiveFeed feed;
  private final EventBus bus;
  private final LongSupplier clock;

  TelemetryIntake(Object lock, JobTable jobs, JobEvents events, CoordinatorMetrics metrics, LiveFeed feed,
      EventBus bus, LongSupplier clock) {
    this.lock = lock;
    this.jobs = jobs;
    this.events = events;
    this.metrics = metrics;
    this.feed = feed;
    this.bus = bus;
    this.clock = clock;
  }

  void onTaskNote(JobEvent e) {
    synchronized (lock) {
      JobRun job = jobs.get(e.getJobId());
      if (job != null) {
        events.record(job, e);
      }
    }
    bus.publish(Addresses.JOB_EVENT, e);
  }

  void onMetric(MetricEvent m) {
    metrics.worker(m);
    if (m.getJobId() == null) {
      return;
    }
    synchronized (lock) {
      JobRun job = jobs.get(m.getJobId());
      if (job == null) {
        return;
      }
      String stage = m.getTags().getOrDefault("stage", JobTelemetry.stageOf(job.jobId, m.getTaskId()));
      if (stage == null) {
        return;
      }
      JsonObject point = job.telemetry.metric(stage, m.getTaskId(), m.getName(), m.getTags(), m.getValue(),
          clock.getAsLong());
      if (point != null) {
        feed.publish(point.put("type", "metric").put("jobId", job.jobId));
      }
    }
  }

  void onProgress(TaskProgress p) {
    synchronized (lock) {
      JobRun job = jobs.get(p.getJobId());
      TaskRun task = job == null ? null : job.tasks.get(p.getTaskId());
      if (task == null || task.done) {
        return;
      }
      job.telemetry.progress(task.taskId, p.getFraction());
      long now = clock.getAsLong();
      if (now - job.lastProgressFeedMillis >= PROGRESS_NUDGE_MILLIS) {
        job.lastProgressFeedMillis = now;
        feed.publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
      }
    }
  }
}
