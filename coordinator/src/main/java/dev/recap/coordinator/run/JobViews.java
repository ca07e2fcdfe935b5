package dev.recap.coordinator.run;

import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.JobRun.StageRun;
import dev.recap.coordinator.run.JobRun.TaskRun;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only views of a job for the API. Called under the coordinator's lock. */
final class JobViews {

  private JobViews() {}

  /** The status JSON with each stage's samplesPerSec and (while it runs) etaSeconds. */
  static JsonObject withRates(JobRun job, long now) {
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

  /** What the job's finished tasks declared by task id, in plan order (recovered finished jobs: journal order). */
  static Map<String, TaskOutputs> taskOutputs(JobRun job) {
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
