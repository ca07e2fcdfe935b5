package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalRecoveryTest {

  private static final String SPEC = "name: j\nstages:\n  - name: make\n    kind: smoke\n    tasks: 2\n";

  @Test
  void aRecoveredJobHasItsEventsLogBackInOrder() {
    List<JsonObject> journal = List.of(
        new JsonObject().put("type", "job").put("jobId", "j1").put("spec", SPEC).put("submittedAtMillis", 100L),
        event("j1", 101, "SUBMITTED", null, null, "submitted: 1 stage(s)"),
        event("j1", 102, "NOTE", "make", "j1/make/00000", "skipped sample k7: unreadable image"),
        new JsonObject().put("type", "attempt-failed").put("jobId", "j1").put("taskId", "j1/make/00001").put("attempt", 1),
        event("j1", 103, "TASK_RETRIED", "make", "j1/make/00001", "attempt 1 lost"),
        event("other", 104, "SUBMITTED", null, null, "a job the journal never submitted"));
    List<JobRun> jobs = JournalRecovery.jobs(journal);
    assertEquals(1, jobs.size());
    JobRun job = jobs.get(0);
    JsonArray events = job.telemetry.eventsJson();
    assertEquals(3, events.size(), events.encode());
    assertEquals("SUBMITTED", events.getJsonObject(0).getString("kind"));
    // a task's note about a skipped sample is classified as on the first recording
    assertEquals("SAMPLE_SKIPPED", events.getJsonObject(1).getString("kind"));
    assertEquals("warn", events.getJsonObject(1).getString("level"));
    assertEquals("j1/make/00000", events.getJsonObject(1).getString("taskId"));
    assertEquals(103L, events.getJsonObject(2).getLong("time"));
    assertEquals(3, job.journaledEvents, "journaled events count towards the per-job cap");
    assertEquals(1, job.retries);
  }

  private static JsonObject event(String jobId, long time, String kind, String stage, String taskId, String message) {
    return new JsonObject().put("type", "event").put("jobId", jobId).put("time", time).put("kind", kind)
        .put("stage", stage).put("taskId", taskId).put("message", message);
  }
}
