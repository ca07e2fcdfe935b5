package dev.recap.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ProgressLine line = new ProgressLine(new PrintWriter(new StringWriter()), false, now::get);

  private static JobStatus status(int done, int total) {
    return new JobStatus("j1", "caption-quality", "RUNNING", null, "pretrain", done, total, 0, List.of(), 1_000_000 - 310_000, 0);
  }

  @Test
  void runningStagesShowTheirTasksSamplesPerSecondAndTheEtaFromReportedProgress() {
    JsonObject view = new JsonObject().put("stages", new JsonArray()
        .add(new JsonObject().put("name", "data").put("state", "DONE").put("tasksDone", 12).put("tasksTotal", 12))
        .add(new JsonObject().put("name", "pretrain").put("state", "RUNNING").put("tasksDone", 3).put("tasksTotal", 12)
            .put("samplesPerSec", 231.4).put("etaSeconds", 723.6))
        .add(new JsonObject().put("name", "evaluate").put("state", "WAITING").put("tasksDone", 0).put("tasksTotal", 80)));
    assertEquals("[caption-quality 5:10] 40/130 tasks | pretrain 3/12  231 samples/s  ETA 12:04", line.format(status(40, 130), view));
  }

  @Test
  void aRunningStageWithoutProgressYetHasNoEta() {
    JsonObject view = new JsonObject().put("stages", new JsonArray()
        .add(new JsonObject().put("name", "pretrain").put("state", "RUNNING").put("tasksDone", 0).put("tasksTotal", 12)));
    assertEquals("[caption-quality 5:10] 28/130 tasks | pretrain 0/12  ETA --:--", line.format(status(28, 130), view));
  }

  @Test
  void withoutAViewTheEtaComesFromFinishedTasks() {
    line.format(status(10, 30), null);
    now.addAndGet(10_000);
    assertEquals("[caption-quality 5:20] stage pretrain: 20/30 tasks  1.0 tasks/s  ETA 0:10", line.format(status(20, 30), null));
  }
}
