package dev.recap.worker.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.bus.task.ReportInput;
import dev.recap.bus.task.ReportTask;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTaskHandlerTest {

  @TempDir
  Path dir;

  /** The worker's side of a task: the payload, a file artifact store, and the events it reports. */
  private record Context(ReportTask payload, ArtifactStore artifacts, List<String> events) implements TaskContext<ReportTask> {
    public String jobId() {
      return "job-1";
    }

    public String taskId() {
      return "job-1/report/report";
    }

    public String stage() {
      return "report";
    }

    public int attempt() {
      return 1;
    }

    public long seed() {
      return 7;
    }

    public String workerId() {
      return "w1";
    }

    public void progress(double fraction, String message) {}

    public void metric(String name, double value, Map<String, String> tags) {}

    public void event(String message) {
      events.add(message);
    }

    public Extensions extensions() {
      throw new UnsupportedOperationException("the report uses no plugins");
    }

    public boolean isCancelled() {
      return false;
    }
  }

  private Context context(List<ReportBuilder.Input> inputs, String copyTo) {
    List<ReportInput> in = inputs.stream().map(i -> new ReportInput(i.stage(), i.task(), i.file().toString(), i.kind().wireName())).toList();
    ReportTask task = ReportTask.newBuilder().setInputs(in).setCopyTo(copyTo).setTitle("handler test").build();
    return new Context(task, new FileArtifactStore(dir.resolve("artifacts"), "job-1", "job-1/report/report"),
        new ArrayList<>());
  }

  @Test
  void writesTheReportWithItsChartsAndCopiesIt() throws Exception {
    ResultFixture f = new ResultFixture(dir.resolve("in"));
    f.result("evaluate", "vit-grounded", "vit", "grounded", 1, "frozen", "segmentation", 1.0, Map.of("mIoU", 0.41),
        Map.of(), 100);
    f.pretrain("vit-grounded", 1, new double[] {3, 2}, null);
    Path copy = dir.resolve("runs/job-1");
    Context ctx = context(f.inputs, copy.toString());
    new ReportTaskHandler().execute(ctx);

    Path out = ctx.artifacts().directory();
    for (String name : List.of("report.md", "report.html", "chart-loss-clip.svg")) {
      assertTrue(Files.isRegularFile(out.resolve(name)), name);
      assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(copy.resolve(name)), name);
    }
    assertTrue(Files.readString(out.resolve("report.md")).contains("0.4100 (n=1)"));
    Map<String, String> kinds = new java.util.HashMap<>();
    ctx.artifacts().declared().forEach(d -> kinds.put(Path.of(d.getPath()).getFileName().toString(), d.getKind()));
    assertEquals("report", kinds.get("report.md"));
    assertEquals("report", kinds.get("chart-loss-clip.svg"));
    assertEquals("report", kinds.get("results.csv"));
    assertEquals(1, ctx.events().size());
    assertTrue(ctx.events().get(0).contains("2 results, 1 loss curves, 0 inputs skipped"), ctx.events().get(0));
  }

  @Test
  void noValidResultFailsPermanentlyAfterWritingWhatWasSkipped() throws Exception {
    ResultFixture f = new ResultFixture(dir.resolve("in"));
    Path bad = f.raw("evaluate", "t", "{\"run\":\"a\"}");
    Context ctx = context(f.inputs, "");
    PermanentTaskFailure e = assertThrows(PermanentTaskFailure.class, () -> new ReportTaskHandler().execute(ctx));
    assertTrue(e.getMessage().contains(bad + ": field 'seed'"), e.getMessage());
    String md = Files.readString(ctx.artifacts().directory().resolve("report.md"));
    assertTrue(md.contains(bad + ": field 'seed': missing"), md);
    assertTrue(Files.notExists(dir.resolve("runs")));
  }
}
