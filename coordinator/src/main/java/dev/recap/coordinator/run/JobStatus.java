package dev.recap.coordinator.run;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A snapshot of one job for status displays.
 *
 * @param state RUNNING, SUCCEEDED or FAILED
 * @param stage the first unfinished stage (or the last one when finished)
 */
public record JobStatus(String jobId, String name, String state, String cause, String stage, int tasksDone,
    int tasksTotal, int retries, List<StageStatus> stages, long submittedAtMillis, long finishedAtMillis) {

  /** One stage: WAITING (for its dependencies), RUNNING, DONE or SKIPPED (the job's budget; see withinBudget). */
  public record StageStatus(String name, String kind, String state, int tasksDone, int tasksTotal) {}

  public boolean finished() {
    return !state.equals("RUNNING");
  }

  public JsonObject toJson() {
    JsonArray st = new JsonArray();
    stages.forEach(s -> st.add(new JsonObject().put("name", s.name()).put("kind", s.kind()).put("state", s.state())
        .put("tasksDone", s.tasksDone()).put("tasksTotal", s.tasksTotal())));
    return new JsonObject().put("jobId", jobId).put("name", name).put("state", state).put("cause", cause)
        .put("stage", stage).put("tasksDone", tasksDone).put("tasksTotal", tasksTotal).put("retries", retries)
        .put("stages", st).put("submittedAtMillis", submittedAtMillis).put("finishedAtMillis", finishedAtMillis);
  }

  public static JobStatus fromJson(JsonObject j) {
    List<StageStatus> st = j.getJsonArray("stages", new JsonArray()).stream().map(o -> (JsonObject) o)
        .map(s -> new StageStatus(s.getString("name"), s.getString("kind"), s.getString("state"),
            s.getInteger("tasksDone", 0), s.getInteger("tasksTotal", 0))).toList();
    return new JobStatus(j.getString("jobId"), j.getString("name"), j.getString("state"), j.getString("cause"),
        j.getString("stage"), j.getInteger("tasksDone", 0), j.getInteger("tasksTotal", 0), j.getInteger("retries", 0),
        st, j.getLong("submittedAtMillis", 0L), j.getLong("finishedAtMillis", 0L));
  }
}
