package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.run.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One job on the embedded default: a coordinator and two workers (one task slot each) in
 * this JVM, loading the distribution's plugin jars, everything shut down afterwards.
 *
 * @param done the job's final status
 * @param jobId the job's id
 * @param tasks each task's artifact directory by {@code <stage>_<task>}
 * @param declared what each finished task declared and reported, by task id, as the coordinator received it
 */
record EmbeddedJobRun(JobStatus done, String jobId, Map<String, Path> tasks, Map<String, TaskOutputs> declared) {

  /** Runs {@code yaml} (submitted with {@code label}) with its artifacts under {@code tmp/artifacts}. */
  static EmbeddedJobRun run(Path tmp, String yaml, String label, Duration timeout) throws Exception {
    return run(tmp, yaml, label, timeout, (cluster, jobId) -> {});
  }

  /** Checks on the cluster after the job ended, before it shuts down. */
  interface AfterJob {
    void check(RecapCluster coordinatorMember, String jobId) throws Exception;
  }

  /** As {@link #run(Path, String, String, Duration)}, then {@code afterJob} while the cluster is up. */
  static EmbeddedJobRun run(Path tmp, String yaml, String label, Duration timeout, AfterJob afterJob) throws Exception {
    return run(tmp, yaml, label, null, timeout, afterJob);
  }

  /**
   * As {@link #run(Path, String, String, Duration, AfterJob)} for a spec read from a file in
   * {@code specFolder} (relative paths in it resolve there; null: a spec from no file).
   */
  static EmbeddedJobRun run(Path tmp, String yaml, String label, Path specFolder, Duration timeout, AfterJob afterJob)
      throws Exception {
    Path plugins = Path.of(System.getProperty("recap.dist", "../target/recap"), "plugins");
    try (Stream<Path> jars = Files.isDirectory(plugins) ? Files.list(plugins) : Stream.empty()) {
      assertTrue(jars.findAny().isPresent(), "no plugin jars in " + plugins.toAbsolutePath()
          + ": build the plugins first (mvn -o package -DskipTests, or -pl coordinator -am)");
    }
    Path artifacts = tmp.resolve("artifacts");
    List<RecapCluster> members = RecapCluster.startEmbedded(3, ClusterOptions.isolated());
    List<WorkerLauncher.RunningWorker> workers = new ArrayList<>();
    Coordinator coordinator = null;
    JobStatus done;
    String jobId;
    Map<String, TaskOutputs> declared;
    try {
      coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(tmp.resolve("state")));
      WorkerLauncher launcher = WorkerLauncher.find();
      for (int i = 1; i <= 2; i++) {
        workers.add(launcher.launch(members.get(i), new WorkerLauncher.Settings("w" + i, plugins, artifacts, 1)));
      }
      while (coordinator.aliveWorkerCount() < 2) {
        Thread.sleep(50);
      }
      jobId = coordinator.submit(yaml, label, specFolder);
      done = coordinator.completion(jobId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      declared = coordinator.taskOutputs(jobId);
      afterJob.check(members.get(0), jobId);
    } finally {
      workers.forEach(WorkerLauncher.RunningWorker::close);
      if (coordinator != null) {
        coordinator.close();
      }
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
    Map<String, Path> tasks = new TreeMap<>();
    if (Files.isDirectory(artifacts.resolve(jobId))) {
      try (Stream<Path> dirs = Files.list(artifacts.resolve(jobId))) {
        // task directories are <job>_<stage>_<task>; others (a gang's checkpoints) are not tasks
        dirs.filter(d -> d.getFileName().toString().startsWith(jobId + "_"))
            .forEach(d -> tasks.put(d.getFileName().toString().substring(jobId.length() + 1), d));
      }
    }
    return new EmbeddedJobRun(done, jobId, tasks, declared);
  }
}
