package dev.recap.coordinator.cli;

import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerDevice;
import dev.recap.bus.WorkerLauncher;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap worker --join HOST:PORT}: a worker process. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a worker: joins the cluster, loads plugins, runs leased tasks until stopped.")
final class WorkerCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ClusterArgs cluster = new ClusterArgs();

  @Option(names = "--id", description = "Worker id (default: worker-<pid>-<host>).")
  String id;

  @Option(names = "--plugins", description = "Plugin jars directory (default: <recap home>/plugins).")
  Path plugins;

  @Option(names = "--artifacts", defaultValue = "recap-artifacts", description = "Artifact root when a job sets no 'output' (default: ${DEFAULT-VALUE}).")
  Path artifacts;

  @Option(names = "--slots", defaultValue = "1", description = "Tasks run at once (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--device", defaultValue = "cpu",
      description = "What the worker computes on: cpu, or cuda:N for the CUDA GPU with index N; cuda needs a CUDA libtorch in PYTORCH_LIBRARY_PATH (default: ${DEFAULT-VALUE}; see docs/gpu.md).")
  String device;

  @Option(names = "--precision", defaultValue = "auto",
      description = "Arithmetic of CLIP training's matrix products: auto (bfloat16 on a GPU and on a CPU with bfloat16 instructions, else fp32), fp32 or bf16 (default: ${DEFAULT-VALUE}; see docs/encoders.md).")
  String precision;

  @Option(names = "--no-conformance-kits",
      description = "Do not run the plugins' conformance kits after joining (they run by default, in the background, and the console's Plugins page shows the outcome).")
  boolean noConformanceKits;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    if (cluster.join.isEmpty()) {
      spec.commandLine().getErr().println("recap worker: --join HOST:PORT is required (the coordinator prints it)");
      return RecapCli.INVALID;
    }
    if (!RecapCli.choosePrecision(precision, spec.commandLine().getErr(), "recap worker")) {
      return RecapCli.INVALID;
    }
    WorkerDevice workerDevice;
    try {
      workerDevice = WorkerDevice.parse(device);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("recap worker: --device " + e.getMessage());
      return RecapCli.INVALID;
    }
    String workerId = id != null ? id : "worker-" + ManagementFactory.getRuntimeMXBean().getName().replace('@', '-');
    WorkerLauncher launcher = WorkerLauncher.find();
    launcher.requireDevice(workerDevice); // before joining: a worker that cannot compute never shows up
    RecapCluster member = RecapCluster.start(cluster.toOptions());
    WorkerLauncher.RunningWorker worker = null;
    try {
      worker = launcher.launch(member,
          new WorkerLauncher.Settings(workerId, RunCommand.pluginsDir(plugins), artifacts, slots, !noConformanceKits, workerDevice));
      out.println("worker " + workerId + " on " + workerDevice + " joined cluster " + cluster.clusterName + " at " + member.address());
      out.flush();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
      return RecapCli.OK;
    } finally {
      if (worker != null) {
        worker.close();
      }
      member.close();
    }
  }
}
