package dev.recap.coordinator.run;

import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.spec.JobSpec;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds jobs from journal records: the spec of each submitted job, the outputs of its tasks
 * journaled as done, the attempts journaled as lost, its events log, and whether it finished. Running jobs come
 * back unplanned, with what is done attached, so the coordinator re-plans them and queues only
 * the rest.
 */
final class JournalRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  private JournalRecovery() {}

  static List<JobRun> jobs(List<JsonObject> journal) {
    Map<String, JsonObject> submitted = new LinkedHashMap<>();
    Map<String, JsonObject> finished = new HashMap<>();
    Map<String, List<JsonObject>> records = new HashMap<>();
    for (JsonObject r : journal) {
      String jobId = r.getString("jobId");
      switch (r.getString("type", "")) {
        case "job" -> submitted.put(jobId, r);
        case "finished" -> finished.put(jobId, r);
        default -> records.computeIfAbsent(jobId, k -> new ArrayList<>()).add(r);
      }
    }
    List<JobRun> jobs = new ArrayList<>();
    for (Map.Entry<String, JsonObject> e : submitted.entrySet()) {
      String jobId = e.getKey();
      JobSpec spec;
      try {
        spec = JobSpecParser.parse(e.getValue().getString("spec"), e.getValue().getString("source", "journal"));
      } catch (SpecException ex) {
        LOG.warn("journaled job {} no longer parses; skipped: {}", jobId, ex.getMessage());
        continue;
      }
      JobRun job = new JobRun(jobId, spec, e.getValue().getLong("submittedAtMillis", 0L));
      for (JsonObject r : records.getOrDefault(jobId, List.of())) {
        String taskId = r.getString("taskId");
        if (r.getString("type").equals("done")) {
          List<String> outs = new ArrayList<>();
          r.getJsonArray("outputs", new JsonArray()).forEach(o -> outs.add(String.valueOf(o)));
          job.recoveredDone.putIfAbsent(taskId, outs);
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
