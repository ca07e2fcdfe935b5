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
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers run the plugins-api conformance kits on the extensions of a real plugin jar and the
 * coordinator's {@code /api/plugins} shows the outcome: one worker with the kits on, one with
 * them off, a plugin with a conforming encoder and one whose dense output has the wrong shape.
 */
class ConsolePluginConformanceTest {

  @Test
  void apiShowsPassForAConformingEncoderAndFailWithTheReasonForABrokenOne(@TempDir Path dir) throws Exception {
    Path plugins = dir.resolve("plugins");
    FixturePlugin.buildConformanceFixture(dir.resolve("plugin-build"), plugins);
    List<RecapCluster> members = RecapCluster.startEmbedded(3, ClusterOptions.isolated());
    List<WorkerLauncher.RunningWorker> workers = new ArrayList<>();
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(),
        Coordinator.Options.defaults(dir.resolve("state")));
    String token = UUID.randomUUID().toString();
    HttpServer http = RestApi.start(members.get(0).vertx(), coordinator, token, "127.0.0.1", 0);
    Map<String, JsonObject> byId = new HashMap<>();
    try {
      WorkerLauncher launcher = WorkerLauncher.find();
      workers.add(launcher.launch(members.get(1), new WorkerLauncher.Settings("kits-on", plugins, dir.resolve("a"), 1)));
      workers.add(launcher.launch(members.get(2),
          new WorkerLauncher.Settings("kits-off", plugins, dir.resolve("a"), 1).withConformanceKits(false)));
      HttpClient client = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (true) {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.actualPort() + "/api/plugins"))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        byId.clear();
        new JsonObject(answer.body()).getJsonArray("plugins").forEach(o -> byId.put(((JsonObject) o).getString("id"), (JsonObject) o));
        boolean settled = byId.size() == 2 && byId.values().stream().allMatch(p -> p.getJsonArray("workers").size() == 2
            && p.getJsonArray("conformanceReports").stream().noneMatch(r -> {
              String s = ((JsonObject) r).getString("status");
              return s == null || s.equals("pending");
            }));
        if (settled) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the kits did not report within 90 s: " + byId);
        Thread.sleep(200);
      }
    } finally {
      workers.forEach(WorkerLauncher.RunningWorker::close);
      http.close();
      coordinator.close();
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
    JsonObject good = byId.get("patch-encoder");
    JsonObject broken = byId.get("broken-encoder");
    assertEquals("ImageEncoder", good.getString("extensionPoint"));
    assertEquals("acme-kit", good.getString("pluginId"));
    assertEquals("pass", good.getString("conformance"), good.encodePrettily());
    assertEquals("fail", broken.getString("conformance"), broken.encodePrettily());

    JsonObject goodOn = report(good, "kits-on");
    assertEquals("pass", goodOn.getString("status"));
    JsonObject brokenOn = report(broken, "kits-on");
    assertEquals("fail", brokenOn.getString("status"));
    // the message names the failed check and what was seen: the stride-2 shape the tower declared
    assertTrue(brokenOn.getString("message").startsWith("outputShapesMatchTheDeclaredLevelsForEveryInputSize: output 1"),
        brokenOn.getString("message"));
    assertTrue(brokenOn.getString("message").contains("expected <(2, 4, 16, 16)> but was <(2, 4, 8, 8)>"),
        brokenOn.getString("message"));
    for (JsonObject plugin : List.of(good, broken)) {
      JsonObject off = report(plugin, "kits-off");
      assertEquals("skipped", off.getString("status"));
      assertTrue(off.getString("message").contains("turned off"), off.getString("message"));
    }
  }

  private static JsonObject report(JsonObject plugin, String workerId) {
    return plugin.getJsonArray("conformanceReports").stream().map(JsonObject.class::cast)
        .filter(r -> workerId.equals(r.getString("workerId"))).findFirst()
        .orElseThrow(() -> new AssertionError("no report of " + workerId + " in " + plugin.encodePrettily()));
  }
}
