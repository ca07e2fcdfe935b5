package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds jobs from journal records: the spec of each submitted job, the declared outputs and
 * results of its tasks journaled as done, the attempts journaled as lost, its events log, and
 * whether it finished. Running jobs come back unplanned, with what is done attached, so the
 * coordinator re-plans them and queues only the rest. A running job with a task journaled done
 * by a version from before declared outputs (paths only) comes back failed, naming the journal:
 * its later stages could not find those outputs by kind.
 */
final class JournalRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  private JournalRecovery() {}

  static List<JobRun> jobs(List<JsonObject> journal, Path file) {
    Map<String, JsonObject> submitted = new LinkedHashMap<>();
    Map<String, JsonObject> finished = new HashMap<>();
    Map<String, List<JsonObject>> records = new HashMap<>();
    for (JsonObject r : journal) {
      String jobId = r.getString("jobId");
      switch (r.getString("type", "")) {
        case "job" -> submitted.put(jobId, r);
        case "finished" -> finished.put(jobId, r);
        case "plugin" -> { } // a published plugin jar: the PluginStore reads these
        default -> records.computeIfAbsent(jobId, k -> new ArrayList<>()).add(r);
      }
    }
    List<JobRun> jobs = new ArrayList<>();
    for (Map.Entry<String, JsonObject> e : submitted.entrySet()) {
      String jobId = e.getKey();
      JobSpec spec;
      try {
        String folder = e.getValue().getString("folder");
        spec = JobSpecParser.parse(e.getValue().getString("spec"), e.getValue().getString("source", "journal"),
            folder == null ? null : java.nio.file.Path.of(folder));
      } catch (SpecException ex) {
        LOG.warn("journaled job {} no longer parses; skipped: {}", jobId, ex.getMessage());
        continue;
      }
      JobRun job = new JobRun(jobId, spec, e.getValue().getLong("submittedAtMillis", 0L));
      List<String> undeclared = new ArrayList<>();
      for (JsonObject r : records.getOrDefault(jobId, List.of())) {
        String taskId = r.getString("taskId");
        if (r.getString("type").equals("done")) {
          TaskOutputs outputs;
          try {
            outputs = TaskOutputs.fromJson(r);
          } catch (IllegalArgumentException ex) {
            throw new IllegalStateException("journal " + file + ": the done record of task " + taskId + " is malformed: "
                + ex.getMessage() + "; move the file aside to start with an empty journal", ex);
          }
          if (outputs == null) {
            undeclared.add(taskId);
            outputs = TaskOutputs.NONE;
          }
          job.recoveredDone.putIfAbsent(taskId, outputs);
        } else if (r.getString("type").equals("attempt-failed")) {
          job.recoveredAttempts.merge(taskId, r.getInteger("attempt", 1), Math::max);
          job.retries++;
        } else if (r.getString("type").equals("event")) {
          job.telemetry.event(r.getLong("time", 0L), r.getString("kind", "NOTE"), r.getString("stage"), taskId,
              r.getString("message"));
          job.journaledEvents++;
        }
      }
      JsonObject fin = finished.get(jobId);
      if (fin != null) {
        markFinished(job, fin);
      } else if (!undeclared.isEmpty()) {
        markFinished(job, new JsonObject().put("state", "FAILED").put("finishedAtMillis", System.currentTimeMillis())
            .put("cause", "journal " + file + ": task(s) " + undeclared + " were journaled as done by a Recap version from"
                + " before declared outputs, so later stages cannot find their outputs by kind; resubmit the job"));
        LOG.warn("job {} cannot resume: {}", jobId, job.cause);
      }
      if (fin != null && !undeclared.isEmpty()) {
        LOG.info("job {}: {} task(s) journaled by an earlier Recap version list no declared outputs or results", jobId,
            undeclared.size());
      }
      jobs.add(job);
    }
    return jobs;
  }

  /** A finished job stays listable with its outcome and count of done tasks; it is never planned again. */
  private static void markFinished(JobRun job, JsonObject fin) {
    job.stages.values().forEach(s -> s.planned = true);
    job.state = fin.getString("state");
    job.cause = fin.getString("cause");
    job.finishedAtMillis = fin.getLong("finishedAtMillis", 0L);
    int done = job.recoveredDone.size();
    job.finishedOutputs.putAll(job.recoveredDone);
    job.recoveredDone.clear();
    StageRun last = new ArrayList<>(job.stages.values()).get(job.stages.size() - 1);
    for (int i = 0; i < done; i++) {
      last.taskIds.add("recovered-" + i);
    }
    last.done = done;
  }
}
