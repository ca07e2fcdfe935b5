package dev.recap.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.OutputKind;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.task.SmokeTask;
import dev.recap.coordinator.console.BrowserHarness;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.run.JobStatus;
import dev.recap.coordinator.spec.SpecCheck;
import dev.recap.coordinator.spec.StageSpec;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import dev.recap.worker.node.TaskHandlers;
import dev.recap.worker.node.WorkerNode;
import dev.recap.worker.node.WorkerPlugins;
import dev.recap.worker.report.Numbers;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report stage on the embedded cluster: a stand-in evaluation stage writes result.json and
 * loss.csv files (docs/results.md) through the artifact store, the report stage reads them from its
 * planned inputs, and every table number in report.md is the mean / sample std of those files.
 */
class ReportStageEndToEndTest {

  @TempDir
  Path dir;

  /** Plans four tasks: two runs x two seeds. */
  static final class FixturePlanner implements StagePlanner {
    public String kind() {
      return "result-fixture";
    }

    public void validate(StageSpec stage, SpecCheck check) {}

    public List<PlannedTask> plan(StageSpec stage, PlanningInput input) {
      List<PlannedTask> tasks = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        tasks.add(new PlannedTask("t" + i, "result-fixture", SmokeTask.newBuilder().setIndex(i).build(), Set.of()));
      }
      return tasks;
    }
  }

  /** Writes a result.json and a loss.csv whose values derive from the task's seed (so no two are alike). */
  static final class FixtureHandler implements TaskHandler<SmokeTask> {
    public String taskType() {
      return "result-fixture";
    }

    public Class<SmokeTask> payloadType() {
      return SmokeTask.class;
    }

    public void execute(TaskContext<SmokeTask> context) throws Exception {
      int i = context.payload().getIndex();
      double noise = (context.seed() & 0xff) / 25500.0;
      JsonObject result = new JsonObject().put("run", i < 2 ? "vit-grounded" : "vit-alt-text").put("encoder", "vit:vit-tiny")
          .put("captions", i < 2 ? "grounded" : "alt-text").put("seed", i % 2 + 1).put("protocol", "frozen")
          .put("task", "segmentation").put("fraction", 1.0).put("parameters", 826624)
          .put("metrics", new JsonObject().put("mIoU", (i < 2 ? 0.40 : 0.30) + noise)).put("wallSeconds", 1.5);
      context.artifacts().writeResult(result.encode());
      context.artifacts().write("loss.csv", OutputKind.LOSS_CURVE, String.format(Locale.ROOT, "step,loss\n0,%f\n10,%f\n", 3 + noise, 2 + noise).getBytes());
    }
  }

  /**
   * report.html as a reader sees it, in headless Chromium at 1280 px: the headline cell of
   * vit-grounded's mIoU is the mean of its result.json files, marked best, every chart draws
   * something, and the page does not scroll sideways. Leaves a screenshot for docs/report.md.
   */
  private static void readReportInChromium(Path html, double mean, double std) {
    try (BrowserHarness browser = BrowserHarness.start()) {
      browser.driver().manage().window().setSize(new Dimension(1280, 900));
      browser.open(html.toUri().toString());
      WebElement cell = browser.driver().findElement(
          By.cssSelector(".headline td[data-run='vit-grounded'][data-metric='mIoU']"));
      assertEquals(mean, Double.parseDouble(cell.getAttribute("data-mean")), 1e-12);
      assertEquals(Numbers.format(mean) + " ± " + Numbers.format(std), cell.getText());
      assertEquals("best", cell.getAttribute("class"), "0.40 beats 0.30: the grounded run's cell is the column's best");
      List<WebElement> charts = browser.driver().findElements(By.cssSelector("figure.chart svg"));
      assertTrue(charts.size() >= 2, "a loss chart and the headline's bar chart, got " + charts.size());
      for (WebElement chart : charts) {
        long marks = (Long) browser.script("return arguments[0].querySelectorAll('polyline.series, polyline.seed, rect.bar')"
            + ".length", chart);
        String label = chart.getAttribute("aria-label");
        assertTrue(marks > 0, "chart '" + label + "' draws nothing");
        Object box = browser.script("const b = arguments[0].getBoundingClientRect(); return b.width * b.height;", chart);
        assertTrue(((Number) box).doubleValue() > 10_000, "chart '" + label + "' is laid out at " + box + " px²");
      }
      long scrollWidth = (Long) browser.script("return document.documentElement.scrollWidth;");
      long viewport = (Long) browser.script("return window.innerWidth;");
      assertTrue(scrollWidth <= viewport, "the page scrolls sideways: " + scrollWidth + " > " + viewport + " px");
      browser.screenshot("report");
    }
  }

  @Test
  void theReportOfAJobShowsTheNumbersItsTasksWrote() throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    Coordinator coordinator = null;
    WorkerNode worker = null;
    try {
      coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath().register(new FixturePlanner()),
          Coordinator.Options.defaults(dir.resolve("state")));
      worker = WorkerNode.start(members.get(1), WorkerPlugins.none(),
          TaskHandlers.fromClassPath().register(new FixtureHandler()),
          new WorkerNode.Options("w1", dir.resolve("artifacts"), 2, Duration.ofSeconds(1), Duration.ofSeconds(15)));
      Path copy = dir.resolve("runs/e2e");
      String yaml = "name: e2e\nseed: 3\nstages:\n  - name: evaluate\n    kind: result-fixture\n"
          + "  - name: report\n    kind: report\n    after: [evaluate]\n    copyTo: " + copy + "\n";
      String jobId = coordinator.submit(yaml, "test");
      JobStatus done = coordinator.completion(jobId).get(2, TimeUnit.MINUTES);
      assertEquals("SUCCEEDED", done.state(), String.valueOf(done.cause()));

      List<Path> results;
      try (Stream<Path> files = Files.walk(dir.resolve("artifacts"))) {
        results = files.filter(p -> p.getFileName().toString().equals("result.json")).toList();
      }
      assertEquals(4, results.size());
      List<Double> grounded = new ArrayList<>();
      for (Path r : results) {
        JsonObject json = new JsonObject(Files.readString(r));
        if (json.getString("run").equals("vit-grounded")) {
          grounded.add(json.getJsonObject("metrics").getDouble("mIoU"));
        }
      }
      double mean = (grounded.get(0) + grounded.get(1)) / 2;
      double std = Math.abs(grounded.get(0) - grounded.get(1)) / Math.sqrt(2);
      String md = Files.readString(copy.resolve("report.md"));
      String cell = Numbers.format(mean) + " ± " + Numbers.format(std) + " (n=2)"; // the report's one number format
      assertTrue(md.contains("| vit-grounded | vit:vit-tiny | grounded | clip | 826624 | " + cell + " |"), cell + "\n" + md);
      assertTrue(md.contains("Built from 4 result.json file(s) and 4 loss.csv file(s)"), md);
      assertTrue(md.contains("| evaluate | 4 | 6.0000 | 1.5000 |"), md);
      assertTrue(Files.isRegularFile(copy.resolve("chart-loss-clip.svg")));
      readReportInChromium(copy.resolve("report.html"), mean, std);
    } finally {
      if (worker != null) {
        worker.close();
      }
      if (coordinator != null) {
        coordinator.close();
      }
      members.forEach(RecapCluster::close);
    }
  }
}
