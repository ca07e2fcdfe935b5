package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker JVMs in a gang on loopback: two of them must receive the same bits, equal to the local
 * sum, while this test JVM is a third member outside the gang (as the coordinator would be);
 * and a gang member killed with SIGKILL must fail the survivor's step promptly.
 */
@Timeout(180)
class ExchangeProcessesTest {

  private static final int LENGTH = 300_000;
  private static final int STEPS = 3;

  @Test
  void workerProcessesReceiveTheSameSumsAsALocalRankOrderSum(@TempDir Path dir)
      throws Exception {
    List<Process> workers = new ArrayList<>();
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      for (int i = 0; i < 2; i++) {
        workers.add(startWorker(cluster, i, dir));
      }
      IMap<String, String> control = cluster.members.get(0).getMap(ExchangeWorkerMain.CONTROL_MAP);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!(control.containsKey("worker-0") && control.containsKey("worker-1"))) {
        for (int i = 0; i < workers.size(); i++) {
          if (!workers.get(i).isAlive() || System.nanoTime() > deadline) {
            fail("worker " + i + " did not announce itself:\n" + log(dir, i));
          }
        }
        Thread.sleep(50);
      }
      // Rank order opposite to start order, so ranks are not an accident of who came first.
      control.set("gang", control.get("worker-1") + "," + control.get("worker-0"));
      for (int i = 0; i < workers.size(); i++) {
        boolean exited = workers.get(i).waitFor(120, TimeUnit.SECONDS);
        assertTrue(exited, "worker " + i + " still running:\n" + log(dir, i));
        assertEquals(0, workers.get(i).exitValue(), "worker " + i + " failed:\n" + log(dir, i));
      }
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
    float[][][] received = {read(dir, 0), read(dir, 1)};
    assertEquals(1, (int) received[0][0][0], "worker-0 has rank 1");
    for (int step = 0; step < STEPS; step++) {
      float[] expected = HazelcastCollectiveTest.sumInRankOrder(List.of(
          HazelcastCollectiveTest.gradient(0, step, LENGTH),
          HazelcastCollectiveTest.gradient(1, step, LENGTH)));
      for (int w = 0; w < 2; w++) {
        assertArrayEquals(expected, received[w][1 + step], "worker " + w + " step " + step);
      }
    }
    for (int w = 0; w < 2; w++) {
      for (int r = 0; r < 2; r++) {
        assertArrayEquals(HazelcastCollectiveTest.gradient(r, 99, 7),
            received[w][1 + STEPS + r], "worker " + w + " gathered rank " + r);
      }
    }
  }

  @Test
  void aWorkerKilledWithSigkillMidAllReduceFailsTheSurvivorNamingItsRank(@TempDir Path dir)
      throws Exception {
    Process worker = null;
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      HazelcastInstance self = cluster.members.get(0);
      worker = startWorker(cluster, 0, dir, -1);
      IMap<String, String> control = self.getMap(ExchangeWorkerMain.CONTROL_MAP);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!control.containsKey("worker-0")) {
        if (!worker.isAlive() || System.nanoTime() > deadline) {
          fail("worker did not announce itself:\n" + log(dir, 0));
        }
        Thread.sleep(50);
      }
      List<UUID> members = List.of(self.getCluster().getLocalMember().getUuid(),
          UUID.fromString(control.get("worker-0")));
      control.set("gang", members.get(0) + "," + members.get(1));
      // Only membership can end the step: the operation timeout is far beyond the test's.
      ExchangeOptions patient = ExchangeOptions.builder().bucketFloats(64 * 1024)
          .operationTimeout(Duration.ofMinutes(10)).build();
      Process doomed = worker;
      try (HazelcastCollective c =
          HazelcastCollective.join(self, new Gang("processes", 0, members), patient)) {
        Thread killer = new Thread(() -> {
          try {
            while (self.getMap(patient.mapName()).size() < 5) {
              Thread.sleep(10);
            }
            doomed.destroyForcibly(); // SIGKILL
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        killer.start();
        GangBrokenException e = assertThrows(GangBrokenException.class,
            () -> c.allReduceSum("grad/step-1", new float[LENGTH]));
        killer.join();
        assertEquals("grad/step-1", e.tag(), e.getMessage());
        assertArrayEquals(new int[] {1}, e.missingRanks(), e.getMessage());
        assertTrue(e.getMessage().contains("left the cluster"), e.getMessage());
      }
    } finally {
      if (worker != null) {
        worker.destroyForcibly();
      }
    }
  }

  private static Process startWorker(LoopbackCluster cluster, int index, Path dir)
      throws IOException {
    return startWorker(cluster, index, dir, STEPS);
  }

  private static Process startWorker(LoopbackCluster cluster, int index, Path dir, int steps)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Djava.net.preferIPv4Stack=true",
        ExchangeWorkerMain.class.getName(), cluster.name, String.valueOf(cluster.basePort),
        String.valueOf(index), dir.toString(), String.valueOf(LENGTH), String.valueOf(steps),
        String.valueOf(64 * 1024))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("worker-" + index + ".log").toFile())
        .start();
  }

  /** The rank (as a one-float array), then every array the worker wrote. */
  private static float[][] read(Path dir, int index) throws IOException {
    List<float[]> arrays = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(
        Files.newInputStream(dir.resolve("worker-" + index + ".bin")))) {
      arrays.add(new float[] {in.readInt()});
      while (in.available() > 0) {
        float[] a = new float[in.readInt()];
        for (int i = 0; i < a.length; i++) {
          a[i] = in.readFloat();
        }
        arrays.add(a);
      }
    }
    return arrays.toArray(new float[0][]);
  }

  private static String log(Path dir, int index) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("worker-" + index + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
