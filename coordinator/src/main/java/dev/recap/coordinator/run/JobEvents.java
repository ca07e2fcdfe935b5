package dev.recap.coordinator.run;

import dev.recap.bus.Addresses;
import dev.recap.bus.msg.JobEvent;
import dev.recap.coordinator.journal.JobJournal;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * A job's log of events: each one goes to the job's telemetry, the journal (so that a restarted
 * coordinator shows the log as it was), the live feed, and, for the coordinator's own events, the
 * event bus. Called under the coordinator's lock.
 */
final class JobEvents {

  private final JobTable jobs;
  private final JobJournal journal;
  private final LiveFeed feed;
  private final EventBus bus;
  private final LongSupplier clock;

  JobEvents(JobTable jobs, JobJournal journal, LiveFeed feed, EventBus bus, LongSupplier clock) {
    this.jobs = jobs;
    this.journal = journal;
    this.feed = feed;
    this.bus = bus;
    this.clock = clock;
  }

  /** An event of the coordinator's own: logged and published on the bus. */
  void event(JobRun job, String kind, String stage, String taskId, String message) {
    JobEvent e = new JobEvent(job.jobId, kind, stage, taskId, message, clock.getAsLong());
    record(job, e);
    bus.publish(Addresses.JOB_EVENT, e);
  }

  /**
   * Logs an event into the job's telemetry, the journal (at most {@link JobRun#MAX_JOURNALED_EVENTS}
   * per job) and the live feed.
   */
  void record(JobRun job, JobEvent e) {
    JobTelemetry.Event logged = job.telemetry.event(e.getTimestampMillis(), e.getKind(), e.getStage(), e.getTaskId(),
        e.getMessage());
    if (job.journaledEvents < JobRun.MAX_JOURNALED_EVENTS) {
      job.journaledEvents++;
      journal.append(new JsonObject().put("type", "event").put("jobId", job.jobId).put("time", e.getTimestampMillis())
          .put("kind", e.getKind()).put("stage", e.getStage()).put("taskId", e.getTaskId()).put("message", e.getMessage()));
    }
    feed.publish(logged.toJson().put("type", "event").put("jobId", job.jobId));
  }

  /** A worker joined or left: every running job logs it (a gang may re-form), and the cluster view refreshes. */
  void membership(String kind, String message) {
    for (JobRun job : jobs.running()) {
      record(job, new JobEvent(job.jobId, kind, null, null, message, clock.getAsLong()));
    }
    feed.publish(new JsonObject().put("type", "worker"));
  }
}
