package dev.recap.worker.node;

import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import java.time.Duration;

/** The {@link WorkerLauncher} the coordinator's CLI finds with ServiceLoader: plugins + handlers + node. */
public final class NodeWorkerLauncher implements WorkerLauncher {

  @Override
  public RunningWorker launch(RecapCluster cluster, Settings settings) {
    WorkerPlugins plugins = WorkerPlugins.load(settings.pluginsDir());
    try {
      WorkerNode node = WorkerNode.start(cluster, plugins, TaskHandlers.fromClassPath(),
          new WorkerNode.Options(settings.workerId(), settings.artifactRoot(), settings.slots(), Duration.ofSeconds(1),
              Duration.ofSeconds(15), settings.conformanceKits()));
      return new RunningWorker() {
        @Override
        public String workerId() {
          return settings.workerId();
        }

        @Override
        public long[] leaseRoundTripNanos() {
          return node.leaseLatencies().inOrderNanos();
        }

        @Override
        public void close() {
          node.close();
          plugins.close();
        }
      };
    } catch (RuntimeException e) {
      plugins.close();
      throw e;
    }
  }
}
