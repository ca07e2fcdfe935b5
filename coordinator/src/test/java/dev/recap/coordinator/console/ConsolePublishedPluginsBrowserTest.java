package dev.recap.coordinator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.web.RestApi;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Plugins page in real headless Chromium against a real coordinator and worker: a plugin jar
 * published to the running cluster appears in the Published table with its checksum, the worker
 * that loaded it, and its conformance kit's verdict (here a failure, with the failing check).
 */
class ConsolePublishedPluginsBrowserTest {

  @Test
  void thePublishedTableShowsTheJarItsChecksumAndTheFailingCheckPerWorker(@TempDir Path dir) throws Exception {
    Path jar = FixturePlugin.build(dir.resolve("build"), dir.resolve("jars"), "acme-broken", "1.0.0",
        Map.of("acme.kit.PatchEncoder", FixturePlugin.CONFORMANCE_SOURCE, "acme.kit.BrokenEncoder", FixturePlugin.BROKEN_SOURCE));
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(),
        Coordinator.Options.defaults(dir.resolve("state")));
    String token = UUID.randomUUID().toString();
    HttpServer http = RestApi.start(members.get(0).vertx(), coordinator, token, "127.0.0.1", 0);
    WorkerLauncher.RunningWorker worker = null;
    try (BrowserHarness browser = BrowserHarness.start()) {
      String sha = coordinator.publishPlugin(Files.readAllBytes(jar), jar.getFileName().toString()).jar().sha256();
      worker = WorkerLauncher.find().launch(members.get(1),
          new WorkerLauncher.Settings("w-console", dir.resolve("worker-plugins"), dir.resolve("a"), 1).withConformanceKits(false));
      ConsolePage console = new ConsolePage(browser, "http://127.0.0.1:" + http.actualPort());
      console.openWithToken(token);
      console.go("plugins");
      // The table re-renders on its refresh timer, so the row is read whole in one step.
      PublishedRow row = browser.await("acme-broken with a kit verdict in the Published table", Duration.ofSeconds(90), d -> {
        List<WebElement> rows = d.findElements(By.cssSelector("#published-plugins tr[data-published-plugin='acme-broken']"));
        if (rows.isEmpty() || "pending".equals(rows.get(0).getAttribute("data-kit"))) {
          return null;
        }
        WebElement tr = rows.get(0);
        List<WebElement> onWorker = tr.findElements(By.cssSelector(".published-worker[data-worker-id='w-console']"));
        return new PublishedRow(tr.getAttribute("data-kit"), tr.getText(),
            onWorker.isEmpty() ? "absent" : onWorker.get(0).getAttribute("data-state"));
      });
      assertEquals("failed", row.kit(), row.text());
      assertTrue(row.text().contains(sha.substring(0, 12)), row.text());
      assertTrue(row.text().contains("broken-encoder (ImageEncoder) outputShapesMatchTheDeclaredLevelsForEveryInputSize"),
          row.text());
      assertEquals("loaded", row.workerState(), row.text());
      browser.screenshot("plugins-published");
    } finally {
      if (worker != null) {
        worker.close();
      }
      http.close();
      coordinator.close();
      members.get(1).close();
      members.get(0).close();
    }
  }

  /** What the Published table showed for one plugin at one moment. */
  private record PublishedRow(String kit, String text, String workerState) {}
}
