package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recap.bus.task.PretrainGangTask;
import dev.recap.worker.exchange.LoopbackCluster;
import dev.recap.worker.node.FileArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code pretrain-gang} run whose every member is SIGKILLed mid-run, each slot then retried in
 * a new worker JVM (same task ids, so the same directories), through the real handler. The run
 * must go on from where it was (the commit in the cluster if it survived, else the checkpoint on
 * disk), not from step 0, and finish with every sample of every epoch committed exactly once
 * over the slots' {@code samples.txt} and every step once in the run's {@code loss.csv}.
 */
@Timeout(300)
class GangTotalLossProcessesTest {

  private static final int SAMPLES = 32;
  private static final int BATCH = 8;
  private static final int EPOCHS = 6;
  private static final int STEPS = SAMPLES / BATCH * EPOCHS;
  private static final int RANGE = 2;
  private static final int CHECKPOINT_EVERY = 4;

  @Test
  void aGangWhoseMembersAllDiedResumesAndTrainsEverySampleOnce(@TempDir Path dir) throws Exception {
    killEveryMemberAndRetry(dir, false);
  }

  @Test
  void aGangResumesFromItsDiskCheckpointWhenTheClusterLostEverything(@TempDir Path dir) throws Exception {
    // the coordinator's member goes down too: nothing of the run is left in memory
    String log = killEveryMemberAndRetry(dir, true);
    assertTrue(log.contains("resumes from its checkpoint of step"), "the keys of the steps trained again were"
        + " taken out of samples.txt:\n" + log);
  }

  /** Returns the retried attempts' logs. */
  private static String killEveryMemberAndRetry(Path dir, boolean restartCluster) throws Exception {
    List<Path> payloads = writePayloads(dir);
    Path artifacts = dir.resolve("artifacts");
    Path checkpoints = artifacts.resolve("job-1").resolve("gang-checkpoints");
    List<Path> slotDirs = List.of(FileArtifactStore.taskDirectory(artifacts, "job-1", task(0)),
        FileArtifactStore.taskDirectory(artifacts, "job-1", task(1)));
    List<Process> attempts = new ArrayList<>();
    LoopbackCluster cluster = new LoopbackCluster().start(1);
    try {
      for (int slot = 0; slot < 2; slot++) {
        attempts.add(start(dir, cluster, "first-" + slot, slot, payloads.get(slot), 150));
      }
      // a checkpoint on disk and a later commit in the cluster, the run far from done
      await(() -> Files.exists(checkpoints.resolve("LATEST")) && committedKeys(slotDirs) / BATCH >= CHECKPOINT_EVERY + RANGE,
          attempts, dir);
      for (Process p : attempts) {
        p.destroyForcibly(); // SIGKILL, both at once
      }
      for (Process p : attempts) {
        p.waitFor();
      }
      long committedAtKill = committedKeys(slotDirs) / BATCH;
      assertTrue(committedAtKill < STEPS - RANGE, "killed mid-run, " + committedAtKill + " steps committed");
      if (restartCluster) {
        cluster.close();
        cluster = new LoopbackCluster().start(1);
      }
      List<Process> retries = new ArrayList<>();
      for (int slot = 0; slot < 2; slot++) {
        retries.add(start(dir, cluster, "retry-" + slot, slot, payloads.get(slot), 0));
      }
      attempts.addAll(retries);
      for (int slot = 0; slot < 2; slot++) {
        Process p = retries.get(slot);
        if (!p.waitFor(200, TimeUnit.SECONDS) || p.exitValue() != 0) {
          fail("retry of slot " + slot + " did not finish cleanly:\n" + logs(dir));
        }
      }
    } finally {
      attempts.forEach(Process::destroyForcibly);
      cluster.close();
    }
    String retryLogs = Files.readString(dir.resolve("retry-0.log")) + Files.readString(dir.resolve("retry-1.log"));
    System.out.println(logs(dir));
    try {
      checkResumedAndExactlyOnce(retryLogs, slotDirs);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nlogs:\n" + logs(dir), e);
    }
    return retryLogs;
  }

  private static void checkResumedAndExactlyOnce(String retryLogs, List<Path> slotDirs) throws IOException {
    Matcher formed = Pattern.compile("formed gang \\S+ of \\d+ worker\\(s\\) from step (\\d+)").matcher(retryLogs);
    assertTrue(formed.find(), "the retried slots formed a gang");
    long resumedAt = Long.parseLong(formed.group(1));
    assertTrue(resumedAt >= CHECKPOINT_EVERY, "resumed at step " + resumedAt + ", not started over");

    Map<String, Integer> seen = new TreeMap<>();
    for (Path d : slotDirs) {
      for (String key : Files.readAllLines(d.resolve("samples.txt"))) {
        seen.merge(key, 1, Integer::sum);
      }
    }
    seen.forEach((k, n) -> assertEquals(1, n, k + " committed " + n + " times"));
    assertEquals(STEPS * BATCH, seen.size(), "committed (epoch, sample) keys");
    for (int e = 0; e < EPOCHS; e++) {
      String prefix = "epoch-" + e + "/";
      assertEquals(SAMPLES, seen.keySet().stream().filter(k -> k.startsWith(prefix)).count(), "samples of epoch " + e);
    }

    List<Path> finals = slotDirs.stream().filter(d -> Files.exists(d.resolve("result.json"))).toList();
    assertEquals(1, finals.size(), "one slot writes the run's outputs");
    List<String> loss = Files.readAllLines(finals.get(0).resolve("loss.csv"));
    assertEquals(1 + STEPS, loss.size(), "header + every step once: " + loss);
    for (int s = 0; s < STEPS; s++) {
      assertEquals(Integer.toString(s), loss.get(1 + s).split(",")[0], "loss.csv in step order without a gap");
    }
  }

  private static String task(int slot) {
    return "job-1/gang/member-0" + slot;
  }

  private static List<Path> writePayloads(Path dir) throws IOException {
    List<Path> shards = PairShards.write(dir.resolve("shards"), SAMPLES, 16, 16, 3);
    ClipRunSpec spec = new ClipRunSpec("clip", "test-conv", Map.of("channels", 8), "test-bag",
        Map.of("width", 32, "context", 8), 16, 16, BATCH, EPOCHS, 0, 0.01, 2, 1.0, 0.75, 16, 1);
    List<Path> payloads = new ArrayList<>();
    for (int slot = 0; slot < 2; slot++) {
      PretrainGangTask task = PretrainGangTask.newBuilder().setRunId("job-1/gang").setRun("gang-run").setSlot(slot)
          .setSeed(5).setSpec(spec.toJson()).setShards(shards.stream().map(Path::toString).toList())
          .setStepsPerRange(RANGE).setMinWorkers(2).setMaxWorkers(2).setChecksumEvery(RANGE)
          .setCheckpointEvery(CHECKPOINT_EVERY).setOperationTimeoutSeconds(30).build();
      Path payload = dir.resolve("payload-" + slot + ".avro");
      Files.write(payload, task.toByteBuffer().array());
      payloads.add(payload);
    }
    return payloads;
  }

  private static long committedKeys(List<Path> slotDirs) {
    long n = 0;
    for (Path d : slotDirs) {
      try {
        if (Files.isRegularFile(d.resolve("samples.txt"))) {
          n += Files.readAllLines(d.resolve("samples.txt")).size();
        }
      } catch (IOException e) {
        // being replaced: count again on the next poll
      }
    }
    return n;
  }

  private static Process start(Path dir, LoopbackCluster cluster, String name, int slot, Path payload, long delayMillis)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
        TaskProcessMain.class.getName(), "gang", dir.resolve("artifacts").toString(), "job-1", task(slot),
        payload.toString(), dir.resolve(name + ".metrics").toString(), String.valueOf(delayMillis),
        cluster.name, String.valueOf(cluster.basePort))
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static void await(BooleanSupplier condition, List<Process> workers, Path dir) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!condition.getAsBoolean()) {
      for (Process p : workers) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          fail("a worker exited or the run stalled:\n" + logs(dir));
        }
      }
      Thread.sleep(10);
    }
  }

  private static String logs(Path dir) {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("first-0", "first-1", "retry-0", "retry-1")) {
      Path log = dir.resolve(name + ".log");
      try {
        if (Files.isRegularFile(log)) {
          List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("progress")).toList();
          b.append("--- ").append(name).append('\n')
              .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))).append('\n');
        }
      } catch (IOException e) {
        b.append(e).append('\n');
      }
    }
    return b.toString();
  }
}
