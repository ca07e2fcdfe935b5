package dev.recap.worker.node;

import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerDevice;
import dev.recap.bus.WorkerLauncher;
import dev.recap.worker.device.WorkerDevices;
import java.time.Duration;
import java.util.List;

/** The {@link WorkerLauncher} the coordinator's CLI finds with ServiceLoader: plugins + handlers + node. */
public final class NodeWorkerLauncher implements WorkerLauncher {

  @Override
  public List<WorkerDevice> defaultDevices(int workers) {
    return WorkerDevices.embeddedDefaults(workers);
  }

  @Override
  public void requireDevice(WorkerDevice device) {
    WorkerDevices.open(device);
  }

  /** Checks the device first: a worker that cannot use it fails before it joins (DeviceUnavailableException). */
  @Override
  public RunningWorker launch(RecapCluster cluster, Settings settings) {
    WorkerDevices.open(settings.device());
    WorkerPlugins plugins = WorkerPlugins.load(settings.pluginsDir());
    try {
      WorkerNode node = WorkerNode.start(cluster, plugins, TaskHandlers.fromClassPath(),
          new WorkerNode.Options(settings.workerId(), settings.artifactRoot(), settings.slots(), Duration.ofSeconds(1),
              Duration.ofSeconds(15), settings.conformanceKits(), settings.device()));
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
