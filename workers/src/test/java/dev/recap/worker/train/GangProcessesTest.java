package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDManager;
import com.hazelcast.map.IMap;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.exchange.LoopbackCluster;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elastic gang training with real worker JVMs on loopback, through the real Hazelcast exchange,
 * on WebDataset shards the test writes (each rank reads only its slice's rows from them).
 * This JVM is an extra cluster member outside the gang (where the coordinator would be), and
 * computes the single-process reference on the same global batches.
 */
@Timeout(300)
class GangProcessesTest {

  @Test
  void twoWorkersOnHalfBatchesMatchOneWorkerOnTheGlobalBatch(@TempDir Path dir) throws Exception {
    int steps = 6;
    int batch = 8;
    PairShards.write(dir.resolve("shards"), 32, 10, GangWorkerMain.SIZE, GangWorkerMain.SEED);
    Reference ref = reference(dir, steps, batch);
    List<Process> workers = new ArrayList<>();
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      for (String w : List.of("w0", "w1")) {
        workers.add(start(cluster, w, dir, steps, 3, batch, 32, 2, 2, 0));
      }
      IMap<String, String> control = cluster.members.get(0).getMap(GangWorkerMain.CONTROL_MAP);
      await(() -> control.containsKey("up-w0") && control.containsKey("up-w1"), workers, dir);
      control.set("admit-w0", "");
      control.set("admit-w1", "");
      finish(workers, dir);
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
    for (String w : List.of("w0", "w1")) {
      Map<Long, String[]> loss = lastPerStep(dir.resolve(w + ".loss"));
      assertEquals(steps, loss.size(), w + " trained every step");
      loss.values().forEach(l -> assertEquals("2", l[2], w + " trained in a gang of 2: " + String.join(",", l)));
      float[] params = readParams(dir.resolve(w + ".params"));
      double diff = relativeDifference(params, ref.params);
      assertTrue(diff < 1e-5, w + ": parameters after " + steps + " steps differ from one process on the global"
          + " batch by " + diff + " (relative)");
    }
  }

  @Test
  void aJoinerIsUsedFromTheNextRangeAndASigkilledWorkerCostsNoSample(@TempDir Path dir) throws Exception {
    int steps = 36;
    int range = 4;
    int batch = 12;
    int samples = 48; // 4 steps per epoch, 9 epochs
    PairShards.write(dir.resolve("shards"), samples, 20, GangWorkerMain.SIZE, GangWorkerMain.SEED); // shards of 20, 20, 8
    Path checkpoints = dir.resolve("checkpoints");
    List<Process> workers = new ArrayList<>();
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      for (String w : List.of("w0", "w1", "w2")) {
        workers.add(start(cluster, w, dir, steps, range, batch, samples, 2, 3, 60, checkpoints));
      }
      IMap<String, String> control = cluster.members.get(0).getMap(GangWorkerMain.CONTROL_MAP);
      await(() -> control.containsKey("up-w0") && control.containsKey("up-w1") && control.containsKey("up-w2"),
          workers, dir);
      control.set("admit-w0", "");
      control.set("admit-w1", "");
      await(() -> lines(dir.resolve("w0.loss")) >= 2, workers, dir);
      control.set("admit-w2", ""); // joins mid-range: must wait for the next boundary
      await(() -> lines(dir.resolve("w2.loss")) >= 2, workers, dir);
      // kill w1 in the middle of a range (not at its end, where the commit happens)
      await(() -> lines(dir.resolve("w1.loss")) % range == 1 || lines(dir.resolve("w1.loss")) % range == 2,
          workers, dir);
      workers.get(1).destroyForcibly().waitFor(); // SIGKILL
      long killedAt = lines(dir.resolve("w1.loss"));
      finish(List.of(workers.get(0), workers.get(2)), dir);
      assertTrue(killedAt < steps - 2, "w1 was killed before the end, after " + killedAt + " steps");
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
    try {
      checkJoinAndKill(dir, steps, range, batch, samples, checkpoints);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nworker logs:\n" + logs(dir), e);
    }
  }

  private static void checkJoinAndKill(Path dir, int steps, int range, int batch, int samples, Path checkpoints)
      throws IOException {
    Map<Long, String[]> joiner = firstPerStep(dir.resolve("w2.loss"));
    long firstJoined = joiner.keySet().iterator().next();
    assertEquals(0, firstJoined % range, "the joiner starts at a range boundary, not at step " + firstJoined);
    assertTrue(firstJoined > 0, "the joiner was admitted after the run started");
    assertEquals("3", joiner.get(firstJoined)[2], "from its first range on the gang has 3 workers");
    // the survivors together trained every step (under heavy load a survivor may drop out of the
    // cluster for a while and rejoin at a later boundary)
    Map<Long, String[]> survivor = lastPerStep(dir.resolve("w2.loss"));
    survivor.putAll(lastPerStep(dir.resolve("w0.loss")));
    assertEquals(steps, survivor.size(), "the survivors trained every step of the run");
    assertEquals("2", survivor.get((long) steps - 1)[2], "after the kill the gang has 2 workers");

    // every sample of every epoch exactly once, counted from what the workers committed
    Map<String, Integer> seen = new TreeMap<>();
    for (String w : List.of("w0", "w1", "w2")) {
      for (String key : Files.readAllLines(dir.resolve(w + ".samples"))) {
        seen.merge(key, 1, Integer::sum);
      }
    }
    assertEquals(steps * batch, seen.size(), "distinct committed (epoch, sample) keys");
    seen.forEach((k, n) -> assertEquals(1, n, k + " committed " + n + " times"));
    for (int e = 0; e < steps / (samples / batch); e++) {
      String prefix = "epoch-" + e + "/";
      assertEquals(samples, seen.keySet().stream().filter(k -> k.startsWith(prefix)).count(), "samples of epoch " + e);
    }

    Reference ref = reference(dir, steps, batch);
    double gang = meanLoss(survivor, steps - range, steps);
    double alone = 0;
    for (int s = steps - range; s < steps; s++) {
      alone += ref.losses[s] / range;
    }
    assertTrue(Math.abs(gang - alone) < 0.02 * alone + 1e-3, "final loss " + gang
        + " after a join and a SIGKILL vs " + alone + " undisturbed (first step's loss " + ref.losses[0] + ")");
    assertTrue(Files.isRegularFile(checkpoints.resolve("LATEST")), "a checkpoint was written on disk");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private record Reference(double[] losses, float[] params) {}

  /** One process, one replica, the whole global batch per step. */
  private static Reference reference(Path dir, int steps, int batch) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = GangWorkerMain.model(manager);
      ClipTrainer trainer = new ClipTrainer(model, manager, GangWorkerMain.options(steps), Collective.single());
      ShardPairs data = GangWorkerMain.shardData(dir.resolve("shards"), batch);
      double[] losses = new double[steps];
      for (int s = 0; s < steps; s++) {
        losses[s] = trainer.step(data.slice(s, 0, 1)).loss();
      }
      return new Reference(losses, TinyClip.flatParameters(model));
    }
  }

  private static double meanLoss(Map<Long, String[]> loss, int from, int to) {
    double sum = 0;
    for (long s = from; s < to; s++) {
      sum += Double.parseDouble(loss.get(s)[1]);
    }
    return sum / (to - from);
  }

  private static double relativeDifference(float[] a, float[] b) {
    assertEquals(b.length, a.length, "parameter count");
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (double) (a[i] - b[i]) * (a[i] - b[i]);
      den += (double) b[i] * b[i];
    }
    return Math.sqrt(num / den);
  }

  /** step -> the last line written for it (a rolled-back step is trained again). */
  private static Map<Long, String[]> lastPerStep(Path file) throws IOException {
    Map<Long, String[]> out = new TreeMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(",");
      out.put(Long.parseLong(f[0]), f);
    }
    return out;
  }

  /** step -> the first line written for it (the gang that first trained it). */
  private static Map<Long, String[]> firstPerStep(Path file) throws IOException {
    Map<Long, String[]> out = new TreeMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(",");
      out.putIfAbsent(Long.parseLong(f[0]), f);
    }
    return out;
  }

  private static long lines(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static float[] readParams(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      float[] v = new float[in.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = in.readFloat();
      }
      return v;
    }
  }

  private static void await(BooleanSupplier condition, List<Process> workers, Path dir) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!condition.getAsBoolean()) {
      for (int i = 0; i < workers.size(); i++) {
        if (!workers.get(i).isAlive() || System.nanoTime() > deadline) {
          fail("worker w" + i + " exited or the run stalled:\n" + logs(dir));
        }
      }
      Thread.sleep(10);
    }
  }

  private static void finish(List<Process> workers, Path dir) throws InterruptedException {
    for (Process p : workers) {
      if (!p.waitFor(150, TimeUnit.SECONDS) || p.exitValue() != 0) {
        fail("a worker did not finish cleanly:\n" + logs(dir));
      }
    }
  }

  private static Process start(LoopbackCluster cluster, String name, Path dir, int steps, int range, int batch,
      int samples, int min, int max, long delayMillis) throws IOException {
    return start(cluster, name, dir, steps, range, batch, samples, min, max, delayMillis, dir.resolve("checkpoints"));
  }

  private static Process start(LoopbackCluster cluster, String name, Path dir, int steps, int range, int batch,
      int samples, int min, int max, long delayMillis, Path checkpoints) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
        GangWorkerMain.class.getName(), cluster.name, String.valueOf(cluster.basePort), name, dir.toString(),
        String.valueOf(steps), String.valueOf(range), String.valueOf(batch), String.valueOf(samples),
        String.valueOf(min), String.valueOf(max), checkpoints.toString(), String.valueOf(delayMillis))
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static String logs(Path dir) {
    StringBuilder b = new StringBuilder();
    for (String w : List.of("w0", "w1", "w2")) {
      Path log = dir.resolve(w + ".log");
      try {
        if (Files.isRegularFile(log)) {
          List<String> lines = Files.readAllLines(log);
          b.append("--- ").append(w).append('\n')
              .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
        }
      } catch (IOException e) {
        b.append(e).append('\n');
      }
    }
    return b.toString();
  }
}
