package dev.recap.coordinator.console;

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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Issue 8's scenario against the real thing: an embedded coordinator with its REST API and
 * console, two real worker nodes on a loopback Hazelcast cluster that load a third-party plugin
 * jar, and a tiny job whose smoke tasks (leased only to workers with that plugin) write a real
 * {@code result.json} and PNG through the workers' artifact store.
 */
class ConsoleEndToEndTest extends ConsoleEndToEndScenario {

  @Override
  protected Cluster startCoordinatorWithTwoWorkers() throws Exception {
    Path dir = Files.createTempDirectory("recap-console-e2e");
    Path plugins = dir.resolve("plugins");
    FixturePlugin.build(dir.resolve("plugin-build"), plugins);
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
    // six smoke tasks of 1.5 s on two workers: long enough to watch progress; each fails its
    // first attempt on purpose (retries in the events log), then writes a result and a PNG
    return """
        name: console-e2e
        maxAttempts: 2
        stages:
          - name: evaluate
            kind: smoke
            tasks: 6
            sleepMillis: 1500
            failAttempts: 1
            writeResult: true
            requires: [echo-source]
        """;
  }

  @Override
  protected String rejectedJobSpec() {
    return """
        name: console-e2e
        stages:
          - name: evaluate
            kind: smoke
            tasks: 2
            requires: [no-such-encoder]
        """;
  }

  @Override
  protected boolean jobReportsTrainingCurves() {
    // the smoke task measures throughput, it does not train: no loss curve
    return false;
  }

  @Override
  protected Duration jobTimeout() {
    return Duration.ofSeconds(60);
  }
}
