package dev.recap.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.coordinator.cli.RecapCli;
import dev.recap.coordinator.plugin.PluginStore;
import dev.recap.coordinator.testing.PluginJar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins published to a running cluster, across real processes: a coordinator JVM gets three
 * plugin jars pushed with {@code recap plugin push} (an encoder {@code acme-vit@1.2.0} that keeps
 * its contract, one whose kit fails, and one whose stored bytes are then changed on disk), and
 * only then a worker JVM joins. The worker fetches what it lacks, checks every checksum, loads
 * the good jars into its plugins directory without a restart and runs their kits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginPublishingProcessTest {

  @TempDir
  static Path tmp;

  private ProcessCluster cluster;
  private String api;
  private Path state;
  private Path workerPlugins;
  private String goodSha;
  private String tamperedSha;
  private JsonArray settled;

  @BeforeAll
  void publishThreeJarsThenStartAWorker() throws Exception {
    cluster = new ProcessCluster(tmp, "recap-pub-", "384m", 120);
    state = tmp.resolve("state");
    Path jars = tmp.resolve("jars");
    Path good = PluginJar.compile(tmp.resolve("build-good"), jars, "acme-vit", "1.2.0",
        Map.of("acme.vit.AcmeVit", encoderSource("acme.vit", "AcmeVit", "acme-vit", "1.2.0", 4)));
    Path broken = PluginJar.compile(tmp.resolve("build-broken"), jars, "acme-broken", "1.0.0",
        Map.of("acme.broken.BrokenEncoder", encoderSource("acme.broken", "BrokenEncoder", "broken-encoder", "1.0.0", 2)));
    Path other = PluginJar.compile(tmp.resolve("build-other"), jars, "acme-other", "0.1.0",
        Map.of("acme.other.OtherEncoder", encoderSource("acme.other", "OtherEncoder", "other-encoder", "0.1.0", 4)));
    goodSha = PluginStore.sha256(Files.readAllBytes(good));
    tamperedSha = PluginStore.sha256(Files.readAllBytes(other));

    api = cluster.startCoordinator(state, "coordinator");
    for (Path jar : List.of(good, broken, other)) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = RecapCli.execute(new PrintWriter(out), new PrintWriter(err), "plugin", "push", jar.toString(), "--api", api,
          "--token", cluster.token);
      assertEquals(0, code, err.toString());
      assertTrue(out.toString().startsWith("published "), out.toString());
    }
    // the coordinator recorded acme-other's checksum; its stored bytes change afterwards
    Path stored = state.resolve("plugins").resolve(tamperedSha + ".jar");
    byte[] bytes = Files.readAllBytes(stored);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(stored, bytes);

    // the worker joins after the pushes; its own folder holds only the tests' text encoder
    workerPlugins = GangCoordinatorRestartTest.fixturePlugin(tmp.resolve("worker-plugins"));
    String clusterAddress = new JsonObject(Files.readString(state.resolve("coordinator.json"))).getString("cluster");
    cluster.startWorker(clusterAddress, "w1", workerPlugins);
    cluster.await("w1 to settle every published jar", () -> {
      JsonArray published = cluster.get(api, "/api/plugins").getJsonArray("published");
      boolean done = published.size() == 3 && published.stream().map(JsonObject.class::cast).allMatch(p -> {
        JsonObject w1 = onWorker(p, "w1");
        return w1 != null && (w1.getString("state").equals("refused")
            || (w1.getString("state").equals("loaded") && !p.getString("kit").equals("pending")));
      });
      settled = published;
      return done;
    }, 180);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aWorkerJoiningAfterThePushLoadsTheJarAndAPinnedJobTrainsWithItAndRecordsItsChecksum() throws Exception {
    JsonObject good = byPlugin("acme-vit");
    assertEquals("passed", good.getString("kit"), good.encodePrettily());
    assertEquals(new JsonArray().add("w1"), good.getJsonArray("loadedOn"));
    Path landed = workerPlugins.resolve("acme-vit-1.2.0.jar");
    assertEquals(goodSha, PluginStore.sha256(Files.readAllBytes(landed)), "the jar landed in the worker's plugins directory");
    assertTrue(cluster.get(api, "/api/workers").getJsonArray("workers").getJsonObject(0).getJsonArray("plugins").stream()
        .map(JsonObject.class::cast).anyMatch(p -> p.getString("id").equals("acme-vit") && p.getString("version").equals("1.2.0")),
        "w1 advertises acme-vit 1.2.0");

    Path artifacts = tmp.resolve("artifacts");
    List<Path> shards = GangCoordinatorRestartTest.writeShards(tmp.resolve("shards"));
    String jobId = cluster.submit(api, "name: pinned\noutput: " + artifacts + "\nstages:\n"
        + "  - name: gang\n    kind: pretrain-gang\n    workers: 1\n    minWorkers: 1\n"
        + "    shards: [" + String.join(", ", shards.stream().map(Path::toString).toList()) + "]\n"
        + "    encoder: acme-vit@1.2.0\n    encoderConfig: {channels: 8}\n    text: test-bag\n"
        + "    textConfig: {width: 32, context: 8}\n    embedDim: 16\n    imageSize: 16\n    batchSize: 8\n"
        + "    epochs: 1\n    stepsPerRange: 2\n    checkpointEvery: 4\n    checksumEvery: 4\n"
        + "    learningRate: 0.01\n    warmupSteps: 1\n");
    JsonObject done = cluster.awaitJob(api, jobId, 300);
    assertEquals("SUCCEEDED", done.getString("state"), done.encode() + cluster.logs());

    Path result;
    try (Stream<Path> files = Files.walk(artifacts.resolve(jobId))) {
      result = files.filter(f -> f.getFileName().toString().equals("result.json")).findFirst().orElseThrow();
    }
    JsonObject json = new JsonObject(Files.readString(result));
    assertTrue(json.getJsonObject("metrics").getLong("steps") > 0, json.encodePrettily());
    JsonObject code = json.getJsonArray("code").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("plugin").equals("acme-vit")).findFirst().orElseThrow(() -> new AssertionError(json.encodePrettily()));
    assertEquals("1.2.0", code.getString("version"));
    assertEquals(goodSha, code.getString("sha256"));
  }

  @Test
  void aJarWhoseStoredBytesChangedIsRefusedByTheWorkerAndReportedWithBothChecksums() throws Exception {
    JsonObject other = byPlugin("acme-other");
    JsonObject w1 = onWorker(other, "w1");
    assertEquals("refused", w1.getString("state"), other.encodePrettily());
    assertTrue(w1.getString("message").contains("checksum mismatch") && w1.getString("message").contains(tamperedSha),
        w1.getString("message"));
    assertEquals(new JsonArray(), other.getJsonArray("loadedOn"));
    try (Stream<Path> files = Files.list(workerPlugins)) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().contains("acme-other")), "nothing of it in the plugins directory");
    }
    String log = Files.readString(tmp.resolve("coordinator.log"));
    assertTrue(log.contains("refused published plugin acme-other@0.1.0") && log.contains(tamperedSha), "the coordinator logs it");

    StringWriter out = new StringWriter();
    assertEquals(0, RecapCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "plugin", "list", "--api", api,
        "--token", cluster.token));
    assertTrue(out.toString().contains("worker w1: refused: checksum mismatch"), out.toString());
  }

  @Test
  void aPluginWhoseKitFailedIsNeverLeasedToAndTheListingShowsTheFailingCheck() throws Exception {
    JsonObject broken = byPlugin("acme-broken");
    assertEquals("failed", broken.getString("kit"), broken.encodePrettily());
    assertTrue(broken.getString("kitMessage").contains("outputShapesMatchTheDeclaredLevelsForEveryInputSize"),
        broken.getString("kitMessage"));
    StringWriter out = new StringWriter();
    assertEquals(0, RecapCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "plugin", "list", "--api", api,
        "--token", cluster.token));
    assertTrue(out.toString().contains("failed: broken-encoder"), out.toString());

    // loaded on w1 but never offered: not among its capabilities, and a job naming it is refused
    assertTrue(cluster.get(api, "/api/workers").getJsonArray("workers").getJsonObject(0).getJsonArray("plugins").stream()
        .map(JsonObject.class::cast).noneMatch(p -> p.getString("id").equals("broken-encoder")));
    HttpResponse<String> refused = cluster.http.send(cluster.request(api, "/api/jobs").POST(HttpRequest.BodyPublishers.ofString(
        "name: uses-broken\nstages:\n  - name: s\n    kind: smoke\n    tasks: 1\n    requires: [broken-encoder]\n")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, refused.statusCode(), refused.body());
    JsonObject problem = new JsonObject(refused.body()).getJsonArray("problems").getJsonObject(0);
    assertEquals("stages[0].requires[0]", problem.getString("field"));
    assertTrue(problem.getString("message").contains("plugin acme-broken failed its ImageEncoder conformance kit on worker w1")
        && problem.getString("message").contains("outputShapesMatchTheDeclaredLevelsForEveryInputSize"), problem.getString("message"));
  }

  private JsonObject byPlugin(String pluginId) {
    return settled.stream().map(JsonObject.class::cast).filter(p -> p.getString("pluginId").equals(pluginId)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + pluginId + " in " + settled.encodePrettily()));
  }

  private static JsonObject onWorker(JsonObject published, String workerId) {
    return published.getJsonArray("workers").stream().map(JsonObject.class::cast)
        .filter(w -> w.getString("workerId").equals(workerId)).findFirst().orElse(null);
  }

  /**
   * An image encoder: a 4x4 stride-4 convolution (dense map) and its spatial mean (pooled), with
   * a {@code *-tiny} preset so workers run its kit. {@code declaredStride} other than 4 breaks its
   * contract (the dense map's declared shape is wrong) and fails the kit.
   */
  static String encoderSource(String pkg, String className, String id, String version, int declaredStride) {
    return encoderSource(pkg, className, id, version, declaredStride, "");
  }

  /** As above, with {@code buildPrologue} (Java statements) run first in every {@code build}. */
  static String encoderSource(String pkg, String className, String id, String version, int declaredStride,
      String buildPrologue) {
    return """
        package %1$s;

        import ai.djl.ndarray.NDArray;
        import ai.djl.ndarray.NDList;
        import ai.djl.ndarray.NDManager;
        import ai.djl.ndarray.types.DataType;
        import ai.djl.ndarray.types.Shape;
        import ai.djl.nn.AbstractBlock;
        import ai.djl.nn.Parameter;
        import ai.djl.nn.convolutional.Conv2d;
        import ai.djl.training.ParameterStore;
        import ai.djl.training.initializer.NormalInitializer;
        import ai.djl.util.PairList;
        import dev.recap.api.PluginConfig;
        import dev.recap.api.encoder.FeatureLevel;
        import dev.recap.api.encoder.ImageEncoder;
        import dev.recap.api.encoder.ImageTower;
        import java.util.List;
        import java.util.Map;

        @org.pf4j.Extension
        public class %2$s implements ImageEncoder {
          public String id() { return "%3$s"; }
          public String version() { return "%4$s"; }
          public Map<String, PluginConfig> presets() { return Map.of("%3$s-tiny", PluginConfig.of("channels", 4)); }
          public ImageTower build(PluginConfig config) {
            %6$s
            int c = config.getInt("channels", 4);
            return new ImageTower(new Patches(c, %5$d), c, List.of(new FeatureLevel(c, %5$d)), 4);
          }

          static final class Patches extends AbstractBlock {
            private final Parameter weight;
            private final int channels;
            private final int declaredStride;

            Patches(int channels, int declaredStride) {
              this.channels = channels;
              this.declaredStride = declaredStride;
              weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                  .optShape(new Shape(channels, 3, 4, 4)).optInitializer(new NormalInitializer(0.1f)).build());
            }

            @Override
            protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
              NDArray x = inputs.singletonOrThrow();
              NDArray map = Conv2d.conv2d(x, ps.getValue(weight, x.getDevice(), training), null, new Shape(4, 4)).singletonOrThrow();
              Shape s = map.getShape();
              return new NDList(map.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2}), map);
            }

            @Override
            public Shape[] getOutputShapes(Shape[] in) {
              Shape s = in[0];
              return new Shape[] {new Shape(s.get(0), channels),
                  new Shape(s.get(0), channels, s.get(2) / declaredStride, s.get(3) / declaredStride)};
            }

            @Override
            protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
          }
        }
        """.formatted(pkg, className, id, version, declaredStride, buildPrologue);
  }
}
