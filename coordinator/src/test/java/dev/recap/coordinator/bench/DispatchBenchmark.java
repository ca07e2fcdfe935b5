package dev.recap.coordinator.bench;

import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import dev.recap.bus.WorkerLauncher;
import dev.recap.coordinator.plan.StagePlanners;
import dev.recap.coordinator.run.Coordinator;
import dev.recap.coordinator.run.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Task dispatch: leases per second and request-to-lease round trip for empty tasks (no sleep,
 * no output), with 1 and 2 workers. Every member is its own clustered Vert.x in this JVM, so
 * messages cross loopback TCP as between hosts. The journal is written as in production.
 *
 * <p>Run: {@code mvn -B -q -pl coordinator -am test-compile} then
 * {@code java -cp "$(cat coordinator/target/bench.cp):coordinator/target/test-classes:coordinator/target/classes"
 * dev.recap.coordinator.bench.DispatchBenchmark [tasks]} (see docs/benchmarks.md).
 */
public final class DispatchBenchmark {

  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    System.out.printf("%-8s %-6s %8s %10s %12s %12s %12s%n", "workers", "slots", "tasks", "leases/s", "rtt p50 ms",
        "rtt p99 ms", "rtt max ms");
    for (int[] config : new int[][] {{1, 1}, {2, 1}, {2, 2}}) {
      run(config[0], config[1], tasks);
    }
    reference(tasks);
    System.exit(0);
  }

  static void run(int workers, int slots, int tasks) throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(workers + 1, ClusterOptions.isolated());
    Path state = Files.createTempDirectory("recap-bench");
    Coordinator coordinator = Coordinator.start(members.get(0), StagePlanners.fromClassPath(), Coordinator.Options.defaults(state));
    List<WorkerLauncher.RunningWorker> running = new ArrayList<>();
    try {
      for (int i = 1; i <= workers; i++) {
        running.add(WorkerLauncher.find().launch(members.get(i),
            new WorkerLauncher.Settings("bench-" + i, state.resolve("no-plugins"), state.resolve("artifacts"), slots)));
      }
      while (coordinator.aliveWorkerCount() < workers) {
        Thread.sleep(20);
      }
      job(coordinator, "warmup", Math.max(200, tasks / 5));
      long[] before = new long[workers];
      for (int i = 0; i < workers; i++) {
        before[i] = running.get(i).leaseRoundTripNanos().length;
      }
      long t0 = System.nanoTime();
      JobStatus s = job(coordinator, "measure", tasks);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!s.state().equals("SUCCEEDED") || s.tasksDone() != tasks) {
        throw new IllegalStateException("benchmark job did not succeed: " + s);
      }
      List<Long> all = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        long[] samples = running.get(i).leaseRoundTripNanos();
        for (int k = (int) before[i]; k < samples.length; k++) { // skip the warm-up job's
          all.add(samples[k]);
        }
      }
      all.sort(null);
      System.out.printf("%-8d %-6d %8d %10.0f %12.2f %12.2f %12.2f%n", workers, slots, tasks, tasks / seconds,
          pct(all, 0.50), pct(all, 0.99), all.get(all.size() - 1) / 1e6);
    } finally {
      running.forEach(WorkerLauncher.RunningWorker::close);
      coordinator.close();
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
    }
  }

  /**
   * The reference: bare event-bus request/reply between two members with the same message types
   * (a TaskRequest answered by a prebuilt TaskLease), one request in flight, no coordinator logic.
   */
  static void reference(int requests) throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    try {
      dev.recap.bus.msg.TaskLease lease = dev.recap.bus.msg.TaskLease.newBuilder().setTaskId("ref/empty/00000")
          .setJobId("ref").setStage("empty").setAttempt(1).setLeaseDeadlineMillis(0).setTaskType("smoke")
          .setPayloadSchema(dev.recap.bus.task.SmokeTask.class.getName())
          .setPayload(members.get(0).codec().format().encode(new dev.recap.bus.task.SmokeTask(0, 0L, false, 0, false, "smoke", 0)))
          .setSeed(1L).setOutputRoot(null).build();
      members.get(0).vertx().eventBus().consumer("bench.reference", m -> m.reply(lease)).completion()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      dev.recap.bus.msg.TaskRequest request = new dev.recap.bus.msg.TaskRequest(
          dev.recap.bus.msg.WorkerHello.newBuilder().setWorkerId("ref").setNodeId("n").setHost("127.0.0.1")
              .setDevice("cpu").setCores(1).setMemoryBytes(1).setPlugins(List.of()).build(), 0L);
      var bus = members.get(1).vertx().eventBus();
      List<Long> rtt = new ArrayList<>();
      long t0 = 0;
      for (int i = 0; i < requests + requests / 5; i++) {
        if (i == requests / 5) {
          t0 = System.nanoTime();
        }
        long s = System.nanoTime();
        bus.request("bench.reference", request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (i >= requests / 5) {
          rtt.add(System.nanoTime() - s);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      rtt.sort(null);
      System.out.printf("%-15s %8d %10.0f %12.2f %12.2f %12.2f   (reference: bare request/reply)%n", "ref 1x1", requests,
          requests / seconds, pct(rtt, 0.50), pct(rtt, 0.99), rtt.get(rtt.size() - 1) / 1e6);
    } finally {
      members.get(1).close();
      members.get(0).close();
    }
  }

  static JobStatus job(Coordinator c, String name, int tasks) throws Exception {
    String id = c.submit("name: " + name + "\nstages:\n  - name: empty\n    kind: smoke\n    tasks: " + tasks
        + "\n    writeOutput: false\n", "benchmark");
    return c.completion(id).get(10, TimeUnit.MINUTES);
  }

  static double pct(List<Long> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1e6;
  }
}
