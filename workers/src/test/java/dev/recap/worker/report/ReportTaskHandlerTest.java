package dev.recap.worker.report;

import dev.recap.worker.node.LocalTaskContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  private LocalTaskContext<ReportTask> context(List<ReportBuilder.Input> inputs, String copyTo) {
    List<ReportInput> in = inputs.stream().map(i -> new ReportInput(i.stage(), i.task(), i.file().toString(), i.kind().wireName())).toList();
    ReportTask task = ReportTask.newBuilder().setInputs(in).setCopyTo(copyTo).setTitle("handler test").build();
    return new LocalTaskContext<>(task, new FileArtifactStore(dir.resolve("artifacts"), "job-1", "job-1/report/report"),
        new ArrayList<>(), "job-1/report/report", "report");
  }

  @Test
  void writesTheReportWithItsChartsAndCopiesIt() throws Exception {
    ResultFixture f = new ResultFixture(dir.resolve("in"));
    f.result("evaluate", "vit-grounded", "vit", "grounded", 1, "frozen", "segmentation", 1.0, Map.of("mIoU", 0.41),
        Map.of(), 100);
    f.pretrain("vit-grounded", 1, new double[] {3, 2}, null);
    Path copy = dir.resolve("runs/job-1");
    LocalTaskContext<ReportTask> ctx = context(f.inputs, copy.toString());
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
    LocalTaskContext<ReportTask> ctx = context(f.inputs, "");
    PermanentTaskFailure e = assertThrows(PermanentTaskFailure.class, () -> new ReportTaskHandler().execute(ctx));
    assertTrue(e.getMessage().contains(bad + ": field 'seed'"), e.getMessage());
    String md = Files.readString(ctx.artifacts().directory().resolve("report.md"));
    assertTrue(md.contains(bad + ": field 'seed': missing"), md);
    assertTrue(Files.notExists(dir.resolve("runs")));
  }
}
