package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.coordinator.plan.TaskOutputs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalRecoveryTest {

  private static final String SPEC = "name: j\nstages:\n  - name: make\n    kind: smoke\n    tasks: 2\n";
  private static final Path JOURNAL = Path.of("state", "journal.jsonl");

  @Test
  void theDeclaredOutputsAndResultOfADoneTaskSurviveTheJournal() {
    TaskOutputs outputs = new TaskOutputs(List.of(
        new DeclaredOutput("/art/j1/j1_make_00000/prediction.png", OutputKind.IMAGE.wireName(), 812L, "ab".repeat(32)),
        new DeclaredOutput("/art/j1/j1_make_00000/result.json", OutputKind.RUN_RESULT.wireName(), 40L, "cd".repeat(32))),
        "{\"run\":\"smoke-0\",\"metrics\":{\"mIoU\":0.5}}");
    // as the coordinator journals it, through a line of text
    JsonObject done = new JsonObject(new JsonObject().put("type", "done").put("jobId", "j1").put("taskId", "j1/make/00000")
        .put("attempt", 1).put("worker", "w1").mergeIn(outputs.toJson()).encode());
    JobRun job = JournalRecovery.jobs(List.of(submitted(), done), JOURNAL).get(0);
    assertEquals("RUNNING", job.state);
    assertEquals(outputs, job.recoveredDone.get("j1/make/00000"));
  }

  @Test
  void aRunningJobWithATaskJournaledWithoutDeclaredOutputsFailsNamingTheJournal() {
    JsonObject legacy = new JsonObject().put("type", "done").put("jobId", "j1").put("taskId", "j1/make/00000")
        .put("attempt", 1).put("outputs", new JsonArray().add("/art/j1/j1_make_00000/out-0.txt"));
    JobRun job = JournalRecovery.jobs(List.of(submitted(), legacy), JOURNAL).get(0);
    assertEquals("FAILED", job.state);
    assertTrue(job.cause.contains(JOURNAL.toString()) && job.cause.contains("j1/make/00000")
        && job.cause.contains("resubmit the job"), job.cause);

    JsonObject finished = new JsonObject().put("type", "finished").put("jobId", "j1").put("state", "SUCCEEDED")
        .put("finishedAtMillis", 200L);
    JobRun ended = JournalRecovery.jobs(List.of(submitted(), legacy, finished), JOURNAL).get(0);
    assertEquals("SUCCEEDED", ended.state, "a finished job stays listable as it ended");
    assertEquals(TaskOutputs.NONE, ended.finishedOutputs.get("j1/make/00000"));
  }

  @Test
  void aRecoveredJobKeepsTheFolderItsSpecWasReadFrom() {
    // relative shard patterns of a dataset stage resolve there when its stage is planned again
    JsonObject fromFile = submitted().put("folder", "/data/specs");
    assertEquals(Path.of("/data/specs"), JournalRecovery.jobs(List.of(fromFile), JOURNAL).get(0).spec.folder());
    assertEquals(null, JournalRecovery.jobs(List.of(submitted()), JOURNAL).get(0).spec.folder(), "a spec from no file");
  }

  @Test
  void aMalformedDeclarationIsReportedWithTheJournalFile() {
    JsonObject bad = new JsonObject().put("type", "done").put("jobId", "j1").put("taskId", "j1/make/00000")
        .put("declared", new JsonArray().add(new JsonObject().put("path", "/x")));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> JournalRecovery.jobs(List.of(submitted(), bad), JOURNAL));
    assertTrue(e.getMessage().contains(JOURNAL.toString()) && e.getMessage().contains("declared[0]"), e.getMessage());
  }

  private static JsonObject submitted() {
    return new JsonObject().put("type", "job").put("jobId", "j1").put("spec", SPEC).put("submittedAtMillis", 100L);
  }

  @Test
  void aRecoveredJobHasItsEventsLogBackInOrder() {
    List<JsonObject> journal = List.of(
        new JsonObject().put("type", "job").put("jobId", "j1").put("spec", SPEC).put("submittedAtMillis", 100L),
        event("j1", 101, "SUBMITTED", null, null, "submitted: 1 stage(s)"),
        event("j1", 102, "NOTE", "make", "j1/make/00000", "skipped sample k7: unreadable image"),
        new JsonObject().put("type", "attempt-failed").put("jobId", "j1").put("taskId", "j1/make/00001").put("attempt", 1),
        event("j1", 103, "TASK_RETRIED", "make", "j1/make/00001", "attempt 1 lost"),
        event("other", 104, "SUBMITTED", null, null, "a job the journal never submitted"));
    List<JobRun> jobs = JournalRecovery.jobs(journal, JOURNAL);
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
