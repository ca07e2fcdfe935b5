package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** Read-only views of the jobs for the API, the console and the CLI. */
final class JobViews {

  private final Object lock;
  private final JobTable jobs;
  private final LongSupplier clock;

  JobViews(Object lock, JobTable jobs, LongSupplier clock) {
    this.lock = lock;
    this.jobs = jobs;
    this.clock = clock;
  }

  /** The status of one job, or null if unknown. */
  JobStatus status(String jobId) {
    synchronized (lock) {
      JobRun job = jobs.get(jobId);
      return job == null ? null : job.status();
    }
  }

  /** Every job's status. */
  List<JobStatus> statuses() {
    synchronized (lock) {
      return jobs.all().stream().map(JobRun::status).toList();
    }
  }

  /** Every job's status JSON with rates. */
  JsonArray jobsJson() {
    synchronized (lock) {
      JsonArray out = new JsonArray();
      jobs.all().forEach(job -> out.add(withRates(job, clock.getAsLong())));
      return out;
    }
  }

  /** One job's status JSON with rates, or null if unknown. */
  JsonObject jobView(String jobId) {
    synchronized (lock) {
      JobRun job = jobs.get(jobId);
      return job == null ? null : withRates(job, clock.getAsLong());
    }
  }

  /** One job's status JSON with rates, its events log and its metric series, or null if unknown. */
  JsonObject jobJson(String jobId) {
    synchronized (lock) {
      JobRun job = jobs.get(jobId);
      if (job == null) {
        return null;
      }
      return withRates(job, clock.getAsLong()).put("events", job.telemetry.eventsJson())
          .put("series", job.telemetry.seriesJson());
    }
  }

  /** Outputs of the job's finished tasks by task id, or null for an unknown job. */
  Map<String, TaskOutputs> taskOutputs(String jobId) {
    synchronized (lock) {
      JobRun job = jobs.get(jobId);
      return job == null ? null : taskOutputs(job);
    }
  }

  /** The artifact root the job's spec names, or null (unknown job, or workers use their own default). */
  String outputRoot(String jobId) {
    synchronized (lock) {
      JobRun job = jobs.get(jobId);
      return job == null ? null : job.spec.output();
    }
  }

  /** The status JSON with each stage's samplesPerSec and (while it runs) etaSeconds. */
  private static JsonObject withRates(JobRun job, long now) {
    JsonObject json = job.status().toJson();
    for (Object o : json.getJsonArray("stages")) {
      JsonObject st = (JsonObject) o;
      StageRun stage = job.stages.get(st.getString("name"));
      String name = stage.spec.name();
      st.put("samplesPerSec", job.telemetry.samplesPerSec(name, now));
      if (job.state.equals("RUNNING") && stage.planned && !stage.complete()) {
        List<String> running = stage.taskIds.stream().filter(id -> !job.tasks.get(id).done).toList();
        st.put("etaSeconds", job.telemetry.etaSeconds(name, running, stage.done, stage.taskIds.size(), now));
      }
    }
    return json;
  }

  /** Outputs of the job's finished tasks by task id, in plan order (recovered finished jobs: journal order). */
  private static Map<String, TaskOutputs> taskOutputs(JobRun job) {
    Map<String, TaskOutputs> out = new LinkedHashMap<>(job.finishedOutputs);
    for (StageRun stage : job.stages.values()) {
      for (String id : stage.taskIds) {
        TaskRun t = job.tasks.get(id);
        if (t != null && t.done) {
          out.put(id, t.outputs);
        }
      }
    }
    return out;
  }
}
