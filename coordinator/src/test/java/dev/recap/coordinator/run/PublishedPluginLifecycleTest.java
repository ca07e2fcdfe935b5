package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.plugin.PluginStore;
import dev.recap.coordinator.testing.PluginJar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published plugins over time, on real cluster members in one JVM with real PF4J jars: a job
 * that arrives while a kit runs waits for it; a worker restarting with a fetched jar in its
 * plugins directory still holds back the extension whose kit fails (even with kits turned off);
 * a restarted coordinator still knows what was published to it.
 */
class PublishedPluginLifecycleTest {

  @Test
  void aRestartedWorkerStillHoldsBackTheExtensionWhoseKitFails(@TempDir Path dir) throws Exception {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("acme.mixed.GoodEncoder", PluginPublishingProcessTest.encoderSource("acme.mixed", "GoodEncoder", "good-encoder", "1.0.0", 4));
    sources.put("acme.mixed.BrokenEncoder", PluginPublishingProcessTest.encoderSource("acme.mixed", "BrokenEncoder", "broken-encoder", "1.0.0", 2));
    Path jar = PluginJar.compile(dir.resolve("build"), dir.resolve("jars"), "acme-mixed", "1.0.0", sources);
    Path plugins = dir.resolve("worker-plugins");
    List<RecapCluster> members = RecapCluster.startEmbedded(3, ClusterOptions.isolated());
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(),
        Coordinator.Options.defaults(dir.resolve("state")));
    Set<String> everOffered = new TreeSet<>();
    try {
      coordinator.publishPlugin(Files.readAllBytes(jar), jar.getFileName().toString());
      WorkerLauncher launcher = WorkerLauncher.find();
      WorkerLauncher.RunningWorker first = launcher.launch(members.get(1),
          new WorkerLauncher.Settings("w-first", plugins, dir.resolve("a"), 1).withConformanceKits(false));
      awaitKitFailedOn(coordinator, "w-first", everOffered);
      first.close();

      // the same plugins directory, now holding the fetched jar, under a new worker
      launcher.launch(members.get(2), new WorkerLauncher.Settings("w-again", plugins, dir.resolve("a"), 1)
          .withConformanceKits(false));
      awaitKitFailedOn(coordinator, "w-again", everOffered);
      await("w-again to offer good-encoder", () -> offered(coordinator, "w-again", everOffered).contains("good-encoder"));
    } finally {
      coordinator.close();
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
    assertTrue(Files.readString(plugins.resolve(".published-plugins")).contains(PluginStore.sha256(Files.readAllBytes(jar))));
    assertFalse(everOffered.contains("broken-encoder"), "broken-encoder was offered at some point: " + everOffered);
    assertTrue(everOffered.contains("good-encoder"), everOffered.toString());
  }

  @Test
  void aJobSubmittedWhileTheKitRunsIsAcceptedAndItsTaskWaitsUntilTheKitPassed(@TempDir Path dir) throws Exception {
    // the encoder's build (the kit's first step) waits for a file this test creates: the kit is
    // pending for as long as the test wants
    Path gate = dir.resolve("gate");
    System.setProperty("acme.gate", gate.toString());
    String wait = "java.nio.file.Path gate = java.nio.file.Path.of(System.getProperty(\"acme.gate\"));"
        + " while (!java.nio.file.Files.exists(gate)) { try { Thread.sleep(20); } catch (InterruptedException e) {"
        + " throw new IllegalStateException(e); } }";
    Path jar = PluginJar.compile(dir.resolve("build"), dir.resolve("jars"), "acme-gated", "2.0.0", Map.of("acme.gated.GatedEncoder",
        PluginPublishingProcessTest.encoderSource("acme.gated", "GatedEncoder", "gated-encoder", "2.0.0", 4, wait)));
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(),
        Coordinator.Options.defaults(dir.resolve("state")));
    Set<String> everOffered = new TreeSet<>();
    try {
      coordinator.publishPlugin(Files.readAllBytes(jar), jar.getFileName().toString());
      WorkerLauncher.find().launch(members.get(1), new WorkerLauncher.Settings("w-gated", dir.resolve("plugins"), dir.resolve("a"), 1));
      await("the gated kit to be pending on w-gated", () -> {
        offered(coordinator, "w-gated", everOffered);
        JsonObject published = coordinator.publishedPluginsJson().getJsonObject(0);
        return published.getJsonArray("loadedOn").contains("w-gated") && "pending".equals(published.getString("kit"));
      });
      String jobId = coordinator.submit("name: waits\noutput: " + dir.resolve("out") + "\nstages:\n  - name: s\n"
          + "    kind: smoke\n    tasks: 1\n    requires: [gated-encoder@2.0.0]\n", "test");
      assertEquals(0, coordinator.status(jobId).tasksDone());
      assertFalse(offered(coordinator, "w-gated", everOffered).contains("gated-encoder"), "not offered while its kit runs");
      Files.createFile(gate);
      assertEquals("SUCCEEDED", coordinator.completion(jobId).get(90, java.util.concurrent.TimeUnit.SECONDS).state());
      // the listing follows with the worker's next heartbeat
      await("the listing to show the kit passed", () -> "passed".equals(coordinator.publishedPluginsJson().getJsonObject(0)
          .getString("kit")));
    } finally {
      System.clearProperty("acme.gate");
      coordinator.close();
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
  }

  @Test
  void aRestartedCoordinatorStillKnowsThePluginsPublishedToIt(@TempDir Path dir) throws Exception {
    Path jar = PluginJar.write(dir.resolve("jars"), "acme-empty", "0.0.1", "acme", null, Map.of(), List.of());
    try (RecapCluster member = RecapCluster.start(ClusterOptions.isolated())) {
      Coordinator first = Coordinator.start(member, StagePlanners.fromClassPath(), Coordinator.Options.defaults(dir.resolve("state")));
      String sha = first.publishPlugin(Files.readAllBytes(jar), "acme-empty-0.0.1.jar").jar().sha256();
      first.close();
      Coordinator second = Coordinator.start(member, StagePlanners.fromClassPath(), Coordinator.Options.defaults(dir.resolve("state")));
      try {
        JsonArray published = second.publishedPluginsJson();
        assertEquals(1, published.size(), published.encodePrettily());
        assertEquals("acme-empty", published.getJsonObject(0).getString("pluginId"));
        assertEquals(sha, published.getJsonObject(0).getString("sha256"));
        assertFalse(second.publishPlugin(Files.readAllBytes(jar), "again.jar").added(), "still known: pushing it again is a no-op");
      } finally {
        second.close();
      }
    }
  }

  private static void awaitKitFailedOn(Coordinator coordinator, String workerId, Set<String> everOffered) throws Exception {
    await("the kit of acme-mixed to fail on " + workerId, () -> {
      offered(coordinator, workerId, everOffered);
      JsonObject jar = coordinator.publishedPluginsJson().getJsonObject(0);
      return jar.getJsonArray("workers").stream().map(JsonObject.class::cast)
          .anyMatch(w -> w.getString("workerId").equals(workerId) && "failed".equals(w.getString("kit")));
    });
    JsonObject jar = coordinator.publishedPluginsJson().getJsonObject(0);
    assertEquals("failed", jar.getString("kit"), jar.encodePrettily());
    assertTrue(jar.getString("kitMessage").startsWith("broken-encoder (ImageEncoder) outputShapesMatch"), jar.getString("kitMessage"));
  }

  /** The extension ids the worker offers now; every one is also added to {@code everOffered}. */
  private static Set<String> offered(Coordinator coordinator, String workerId, Set<String> everOffered) {
    Set<String> ids = new TreeSet<>();
    for (Object o : coordinator.workersJson()) {
      JsonObject w = (JsonObject) o;
      if (w.getString("workerId").equals(workerId)) {
        for (Object p : w.getJsonArray("plugins", new JsonArray())) {
          ids.add(((JsonObject) p).getString("id"));
        }
      }
    }
    everOffered.addAll(ids);
    return ids;
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(String what, Condition c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!c.holds()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(50);
    }
  }
}
