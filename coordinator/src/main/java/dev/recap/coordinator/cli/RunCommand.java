package dev.recap.coordinator.cli;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerDevice;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.console.ConsoleRoutes;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.run.JobStatus;
import dev.recap.coordinator.spec.JobSpecParser;
import dev.recap.coordinator.spec.SpecException;
import dev.recap.coordinator.web.RestApi;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code recap run SPEC}: coordinator and N workers in this JVM, one job, exit with its outcome. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run one job on an embedded cluster: a coordinator and N workers in this JVM, bound to loopback.")
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SPEC", description = "Job spec (YAML).")
  Path specFile;

  @Option(names = {"-w", "--workers"}, defaultValue = "2", description = "Workers to start (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--slots", defaultValue = "1", description = "Task slots per worker (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--devices", defaultValue = "auto",
      description = "Devices of the workers: auto (worker i on cuda:i when CUDA GPUs are visible and a CUDA libtorch is set up, else cpu), one device for every worker (cpu, cuda:0), or a comma-separated list with one per worker (default: ${DEFAULT-VALUE}; see docs/gpu.md).")
  String devices;

  @Option(names = "--precision", defaultValue = "auto",
      description = "Arithmetic of CLIP training's matrix products: auto (bfloat16 on a GPU and on a CPU with bfloat16 instructions, else fp32), fp32 or bf16 (default: ${DEFAULT-VALUE}; see docs/encoders.md).")
  String precision;

  @Option(names = "--no-conformance-kits",
      description = "Workers do not run the plugins' conformance kits after joining (they run by default, in the background).")
  boolean noConformanceKits;

  @Option(names = "--plugins", description = "Plugin jars directory (default: <recap home>/plugins).")
  Path plugins;

  @Option(names = "--artifacts", defaultValue = "recap-artifacts", description = "Artifact root when the spec sets no 'output' (default: ${DEFAULT-VALUE}).")
  Path artifacts;

  @Option(names = "--state", description = "Journal directory (default: a fresh temporary directory).")
  Path state;

  @Mixin
  SpecProfileOptions profiles;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Loopback by default (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--http-port", defaultValue = "0", description = "Port of the REST API and web console on the bind address, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    shareCoresAmongWorkers(workers);
    if (!RecapCli.choosePrecision(precision, err, "recap")) {
      return RecapCli.INVALID;
    }
    String yaml = profiles.read(specFile, "recap", err);
    if (yaml == null) {
      return RecapCli.INVALID;
    }
    try {
      JobSpecParser.parse(yaml, specFile.toString()); // syntax and shape first: no cluster for a typo
    } catch (SpecException e) {
      err.println(e.getMessage());
      return RecapCli.INVALID;
    }
    if (workers < 1) {
      err.println("recap: --workers must be at least 1, got " + workers);
      return RecapCli.INVALID;
    }
    List<WorkerDevice> chosen;
    try {
      chosen = chosenDevices(devices, workers);
    } catch (IllegalArgumentException e) {
      err.println("recap: --devices " + e.getMessage());
      return RecapCli.INVALID;
    }
    WorkerLauncher launcher = WorkerLauncher.find();
    List<WorkerDevice> workerDevices = chosen != null ? chosen : launcher.defaultDevices(workers);
    for (WorkerDevice d : new LinkedHashSet<>(workerDevices)) {
      launcher.requireDevice(d);
    }
    Path stateDir = state != null ? state : Files.createTempDirectory("recap-state");
    ClusterOptions options = ClusterOptions.isolated().setBindHost(bind);
    List<RecapCluster> members = RecapCluster.startEmbedded(workers + 1, options);
    List<WorkerLauncher.RunningWorker> running = new ArrayList<>();
    Coordinator coordinator = null;
    try {
      coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(stateDir));
      String token = CoordinatorState.newToken();
      HttpServer http = RestApi.start(members.get(0).vertx(), coordinator, token, bind, httpPort);
      // the token lives only as long as this run; printed to the terminal, never logged
      out.println("console: " + ConsoleRoutes.consoleUrl("http://" + bind + ":" + http.actualPort(), token));
      for (int i = 1; i <= workers; i++) {
        running.add(launcher.launch(members.get(i),
            new WorkerLauncher.Settings("worker-" + i, pluginsDir(plugins), artifacts, slots, !noConformanceKits,
                workerDevices.get(i - 1))));
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (coordinator.aliveWorkerCount() < workers) {
        if (System.currentTimeMillis() > deadline) {
          err.println("recap: only " + coordinator.aliveWorkerCount() + " of " + workers + " workers reported in 60 s");
          return RecapCli.ERROR;
        }
        Thread.sleep(50);
      }
      String jobId;
      try {
        jobId = coordinator.submit(yaml, specFile.toString(), specFile.toAbsolutePath().normalize().getParent());
      } catch (SpecException e) {
        err.println(e.getMessage());
        return RecapCli.INVALID;
      }
      out.println("job " + jobId + " on " + workers + " embedded worker(s) (" + describe(workerDevices) + "); journal "
          + coordinator.journalFile());
      ProgressLine progress = new ProgressLine(out, System.console() != null, System::currentTimeMillis);
      var done = coordinator.completion(jobId);
      while (!done.isDone()) {
        progress.show(coordinator.status(jobId), coordinator.jobView(jobId));
        try {
          done.get(500, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // keep drawing
        }
      }
      JobStatus result = done.get();
      progress.end(result);
      return result.state().equals("SUCCEEDED") ? RecapCli.OK : RecapCli.JOB_FAILED;
    } finally {
      running.forEach(WorkerLauncher.RunningWorker::close);
      if (coordinator != null) {
        coordinator.close();
      }
      // the whole embedded cluster goes: its members shut down together, not one by one
      RecapCluster.closeAll(members);
    }
  }

  /**
   * The devices {@code --devices} names for {@code workers} workers, worker i getting element i;
   * null for {@code auto} (the launcher decides).
   *
   * @throws IllegalArgumentException quoting the bad entry, or saying how many devices are needed
   */
  static List<WorkerDevice> chosenDevices(String text, int workers) {
    if (text.equals("auto")) {
      return null;
    }
    List<WorkerDevice> listed = new ArrayList<>();
    for (String entry : text.split(",", -1)) {
      listed.add(WorkerDevice.parse(entry.trim()));
    }
    if (listed.size() == 1) {
      return Collections.nCopies(workers, listed.get(0));
    }
    if (listed.size() != workers) {
      throw new IllegalArgumentException("'" + text + "' names " + listed.size() + " devices for " + workers
          + " workers: give one device for all of them, or exactly one per worker");
    }
    return listed;
  }

  /** "2 x cpu" or "cuda:0, cuda:1". */
  private static String describe(List<WorkerDevice> devices) {
    if (new HashSet<>(devices).size() == 1) {
      return devices.size() + " x " + devices.get(0);
    }
    return String.join(", ", devices.stream().map(WorkerDevice::toString).toList());
  }

  /** {@code --plugins}, else {@code <recap.home>/plugins} (set by bin/recap), else ./plugins. */
  static Path pluginsDir(Path option) {
    if (option != null) {
      return option;
    }
    String home = System.getProperty("recap.home");
    return home != null ? Path.of(home, "plugins") : Path.of("plugins");
  }

  /**
   * The in-JVM workers share this machine's cores: unless the user chose, each libtorch gets
   * cores / workers intra-op threads (oversubscribed small kernels ran 14-30x slower here). Set
   * before the first task loads the engine, which reads the property once.
   */
  static void shareCoresAmongWorkers(int workers) {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }
}
