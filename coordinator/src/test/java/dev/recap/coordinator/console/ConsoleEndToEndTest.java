package dev.recap.coordinator.console;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.web.RestApi;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The console's end-to-end scenario against the real thing: an embedded coordinator with its REST API and
 * console, two real worker nodes on a loopback Hazelcast cluster that load the distribution's
 * plugin jars (built by {@code mvn package} of the plugins into {@code target/recap/plugins}) and
 * a third-party fixture plugin with one conforming and one broken encoder, and a tiny real job:
 * synthetic data, alt-text captions, one CLIP pretraining run of vit-tiny (4 steps), and its
 * frozen-encoder segmentation and retrieval evaluation.
 */
class ConsoleEndToEndTest extends ConsoleEndToEndScenario {

  @Override
  protected Cluster startCoordinatorWithTwoWorkers() throws Exception {
    Path dir = Files.createTempDirectory("recap-console-e2e");
    Path dist = Path.of(System.getProperty("recap.dist", "../target/recap"), "plugins");
    Path plugins = dir.resolve("plugins");
    Files.createDirectories(plugins);
    try (Stream<Path> jars = Files.list(dist)) {
      for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("no plugin jars in " + dist.toAbsolutePath()
          + ": build the plugins first (mvn -o package -DskipTests -pl plugins/vit,plugins/text-transformer,plugins/synth-scenes,"
          + "plugins/dense-heads,plugins/captioners,plugins/mci -am)", e);
    }
    FixturePlugin.buildConformanceFixture(dir.resolve("plugin-build"), plugins);
    List<RecapCluster> members = RecapCluster.startEmbedded(3, ClusterOptions.isolated());
    List<WorkerLauncher.RunningWorker> workers = new ArrayList<>();
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(),
        Coordinator.Options.defaults(dir.resolve("state")));
    String token = UUID.randomUUID().toString();
    HttpServer http = RestApi.start(members.get(0).vertx(), coordinator, token, "127.0.0.1", 0);
    for (int i = 1; i <= 2; i++) {
      workers.add(WorkerLauncher.find().launch(members.get(i),
          new WorkerLauncher.Settings("worker-" + i, plugins, dir.resolve("artifacts"), 1)));
    }
    String origin = "http://127.0.0.1:" + http.actualPort();
    return new Cluster() {
      @Override
      public String baseUrl() {
        return origin;
      }

      @Override
      public String token() {
        return token;
      }

      @Override
      public void close() {
        workers.forEach(WorkerLauncher.RunningWorker::close);
        http.close();
        coordinator.close();
        for (int i = members.size() - 1; i >= 0; i--) {
          members.get(i).close();
        }
      }
    };
  }

  @Override
  protected String tinyJobSpec() {
    // 128 pairs of 64 px scenes, alt-text captions, 4 CLIP steps of vit-tiny (batch 32), then a
    // frozen linear segmentation head (2 epochs on 16 images) and retrieval on 32 held-out pairs
    return spec("vit");
  }

  @Override
  protected String rejectedJobSpec() {
    return spec("no-such-encoder");
  }

  private static String spec(String encoder) {
    return """
        name: console-e2e
        seed: 7
        maxAttempts: 2
        stages:
          - name: data
            kind: synth-data
            sourceConfig: {preset: synth-64}
            pairs: 128
            shardSize: 64
            heldOut: 32
            denseTrain: 16
            denseTest: 8
          - name: curate
            kind: curate
            after: [data]
            sources: [alt-text]
            batchSize: 64
          - name: pretrain
            kind: pretrain
            after: [data, curate]
            imageSize: 64
            batchSize: 32
            epochs: 1
            warmupSteps: 1
            runs:
              - {name: vit-alt, objective: clip, encoder: %s, encoderConfig: {preset: vit-tiny}, captions: alt-text}
          - name: evaluate
            kind: evaluate
            after: [data, pretrain]
            tasks: [segmentation]
            protocols: [frozen]
            retrieval: true
            frozen: {fractions: [1.0], head: linear, epochs: 2, batchSize: 8}
        """.formatted(encoder);
  }

  @Override
  protected String expectedRun() {
    return "vit-alt";
  }

  @Override
  protected Map<String, String> expectedConformance() {
    // real plugins on their tiny presets, and the fixture's two encoders
    return Map.of("vit", "pass", "text-transformer", "pass", "linear", "pass", "patch-encoder", "pass", "broken-encoder", "fail");
  }

  @Override
  protected Duration jobTimeout() {
    return Duration.ofSeconds(90);
  }
}
