package dev.recap.coordinator.run;

import dev.recap.coordinator.journal.JobJournal;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.spec.SpecProblem;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits jobs: a submitted spec is parsed, validated against the plugins live workers advertise,
 * journaled and planned; jobs recovered from the journal are taken back (running ones re-planned,
 * ended ones listed).
 */
final class JobSubmission {

  private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);

  private final Object lock;
  private final JobTable jobs;
  private final WorkerRegistry workers;
  private final StagePlanning planning;
  private final Dispatcher dispatcher;
  private final JobJournal journal;
  private final JobEvents events;
  private final GangStateCleanup gangState;
  private final LongSupplier clock;
  private final SecureRandom random = new SecureRandom();

  JobSubmission(Object lock, JobTable jobs, WorkerRegistry workers, StagePlanning planning, Dispatcher dispatcher,
      JobJournal journal, JobEvents events, GangStateCleanup gangState, LongSupplier clock) {
    this.lock = lock;
    this.jobs = jobs;
    this.workers = workers;
    this.planning = planning;
    this.dispatcher = dispatcher;
    this.journal = journal;
    this.events = events;
    this.gangState = gangState;
    this.clock = clock;
  }

  /**
   * Parses, validates and starts a job.
   *
   * @return the job id
   * @throws SpecException naming every problem
   */
  String submit(String yaml, String source, java.nio.file.Path folder) {
    JobSpec spec = JobSpecParser.parse(yaml, source, folder);
    synchronized (lock) {
      List<SpecProblem> problems = planning.validate(spec, new SpecCheck(workers.livePluginIds(), workers.pendingKits(), workers.failedKits()));
      if (!problems.isEmpty()) {
        throw new SpecException(source, problems);
      }
      String jobId = spec.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
          + "-" + Integer.toHexString(0x1000 + random.nextInt(0xf000));
      JobRun job = new JobRun(jobId, spec, clock.getAsLong());
      journal.append(new JsonObject().put("type", "job").put("jobId", jobId).put("spec", yaml)
          .put("source", source).put("folder", spec.folder() == null ? null : spec.folder().toString())
          .put("submittedAtMillis", job.submittedAtMillis));
      jobs.add(job);
      events.event(job, "SUBMITTED", null, null, "submitted from " + source);
      LOG.info("job {} submitted: {} stage(s)", jobId, spec.stages().size());
      planning.planReadyStages(job);
      dispatcher.dispatch();
      return jobId;
    }
  }

  /**
   * Takes back the jobs the journal holds: running ones are planned again (what is done stays
   * done) after a grace for adopting their running leases; ended ones are listed with their
   * outcome.
   */
  void recover(List<JobRun> recovered) {
    synchronized (lock) {
      List<String> ended = new ArrayList<>();
      boolean running = false;
      for (JobRun job : recovered) {
        jobs.add(job);
        if (job.state.equals("RUNNING")) {
          LOG.info("recovering job {} from the journal: {} task(s) already done", job.jobId, job.recoveredDone.size());
          events.event(job, "RECOVERED", null, null, "coordinator restarted: job recovered from the journal with "
              + job.recoveredDone.size() + " task(s) done");
          running = true;
          planning.planReadyStages(job);
        } else {
          jobs.ended(job);
          ended.add(job.jobId);
        }
      }
      if (running) {
        dispatcher.holdLeasesForAdoption();
      }
      if (!ended.isEmpty()) {
        // a coordinator that died between a job's end and dropping its gang state left it behind
        gangState.forget(ended);
      }
    }
  }
}
