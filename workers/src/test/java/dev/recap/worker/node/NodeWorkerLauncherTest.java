package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;
import dev.recap.bus.Addresses;
import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerDevice;
import dev.recap.bus.WorkerLauncher;
import dev.recap.bus.msg.WorkerHello;
import dev.recap.worker.device.DeviceUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher the CLI uses, on a real one-member cluster. */
class NodeWorkerLauncherTest {

  @TempDir Path dir;

  @Test
  void aCpuWorkerAdvertisesItsDeviceInItsHello() throws Exception {
    BlockingQueue<WorkerHello> hellos = new LinkedBlockingQueue<>();
    try (RecapCluster cluster = RecapCluster.start(ClusterOptions.isolated())) {
      cluster.vertx().eventBus().<WorkerHello>consumer(Addresses.WORKER_HELLO, m -> {
        hellos.add(m.body());
        m.reply(null);
      });
      WorkerLauncher.Settings settings = new WorkerLauncher.Settings("w-cpu", Files.createDirectories(dir.resolve("plugins")),
          dir.resolve("artifacts"), 1, false, WorkerDevice.parse("cpu"));
      try (WorkerLauncher.RunningWorker worker = new NodeWorkerLauncher().launch(cluster, settings)) {
        WorkerHello hello = hellos.poll(30, TimeUnit.SECONDS);
        assertEquals("w-cpu", hello.getWorkerId());
        assertEquals("cpu", hello.getDevice());
      }
    }
  }

  @Test
  void aWorkerAskedForCuda0WithoutACudaLibtorchFailsAtLaunchSayingWhatToSet() throws Exception {
    assumeFalse(CudaUtils.getGpuCount() > 0 && Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") != null,
        "this machine has a CUDA GPU and PYTORCH_LIBRARY_PATH set: cuda:0 is expected to work here");
    try (RecapCluster cluster = RecapCluster.start(ClusterOptions.isolated())) {
      WorkerLauncher.Settings settings = new WorkerLauncher.Settings("w-gpu", dir.resolve("no-plugins-dir"), dir.resolve("artifacts"),
          1, false, WorkerDevice.cuda(0));
      DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> new NodeWorkerLauncher().launch(cluster, settings));
      assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
    }
  }
}
