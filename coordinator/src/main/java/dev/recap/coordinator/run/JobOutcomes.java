package dev.recap.coordinator.run;

import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.lease.LeaseTable;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends jobs: journals the outcome, logs it, completes whoever waits for the job and drops its
 * gang state. Called under the coordinator's lock.
 */
final class JobOutcomes {

  private static final Logger LOG = LoggerFactory.getLogger(JobOutcomes.class);

  private final JobTable jobs;
  private final LeaseTable leases;
  private final JobJournal journal;
  private final JobEvents events;
  private final LiveFeed feed;
  private final GangStateCleanup gangState;
  private final LongSupplier clock;

  JobOutcomes(JobTable jobs, LeaseTable leases, JobJournal journal, JobEvents events, LiveFeed feed,
      GangStateCleanup gangState, LongSupplier clock) {
    this.jobs = jobs;
    this.leases = leases;
    this.journal = journal;
    this.events = events;
    this.feed = feed;
    this.gangState = gangState;
    this.clock = clock;
  }

  /** Every stage is complete. */
  void succeed(JobRun job) {
    finish(job, "SUCCEEDED", null);
  }

  /** Fails the job: its queued tasks are dropped. */
  void fail(JobRun job, String cause) {
    leases.dropJob(job.jobId);
    finish(job, "FAILED", cause);
  }

  private void finish(JobRun job, String state, String cause) {
    job.state = state;
    job.cause = cause;
    job.finishedAtMillis = clock.getAsLong();
    journal.append(new JsonObject().put("type", "finished").put("jobId", job.jobId).put("state", state)
        .put("cause", cause).put("finishedAtMillis", job.finishedAtMillis));
    events.event(job, "JOB_" + state, null, null, cause == null ? "" : cause);
    LOG.info("job {} {}{}", job.jobId, state, cause == null ? "" : ": " + cause);
    jobs.ended(job);
    feed.publish(new JsonObject().put("type", "job").put("jobId", job.jobId));
    gangState.forget(List.of(job.jobId));
  }
}
