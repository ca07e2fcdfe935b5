package dev.recap.worker.exchange;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A worker JVM for {@link ExchangeProcessesTest}: joins the loopback cluster, announces its
 * member UUID, waits for the test to describe the gang, runs all-reduces and an all-gather, and
 * writes what it received to {@code <outDir>/worker-<index>.bin}.
 *
 * <p>Arguments: clusterName basePort workerIndex outDir length steps bucketFloats. With steps
 * -1 the worker joins the gang and then stalls until it is killed.
 */
public final class ExchangeWorkerMain {

  static final String CONTROL_MAP = "test.control";

  public static void main(String[] args) throws Exception {
    String clusterName = args[0];
    int basePort = Integer.parseInt(args[1]);
    int index = Integer.parseInt(args[2]);
    Path outDir = Path.of(args[3]);
    int length = Integer.parseInt(args[4]);
    int steps = Integer.parseInt(args[5]);
    int bucketFloats = Integer.parseInt(args[6]);
    HazelcastInstance hz =
        Hazelcast.newHazelcastInstance(LoopbackCluster.config(clusterName, basePort));
    try {
      Gang gang = announceAndAwaitGang(hz, index, "processes");
      ExchangeOptions options = ExchangeOptions.builder().bucketFloats(bucketFloats).build();
      try (HazelcastCollective c = HazelcastCollective.join(hz, gang, options);
          DataOutputStream out = new DataOutputStream(
              Files.newOutputStream(outDir.resolve("worker-" + index + ".bin")))) {
        out.writeInt(c.rank());
        if (steps < 0) {
          // Stall: a member of the gang that never contributes, for the driver to kill.
          Thread.sleep(Long.MAX_VALUE);
        }
        for (int step = 0; step < steps; step++) {
          float[] g = HazelcastCollectiveTest.gradient(c.rank(), step, length);
          c.allReduceSum("grad/step-" + step, g);
          write(out, g);
        }
        for (float[] e : c.allGather("emb/step-0", HazelcastCollectiveTest.gradient(c.rank(), 99, 7))) {
          write(out, e);
        }
        c.barrier("done");
      }
    } finally {
      hz.shutdown();
    }
  }

  /**
   * Publishes this member's UUID as {@code worker-<index>} in the control map, then waits for
   * the driving JVM to put the gang's member list (comma-separated UUIDs, rank order) as {@code
   * gang}: the coordinator's part in a real run.
   */
  static Gang announceAndAwaitGang(HazelcastInstance hz, int index, String gangId)
      throws InterruptedException {
    UUID self = hz.getCluster().getLocalMember().getUuid();
    IMap<String, String> control = hz.getMap(CONTROL_MAP);
    control.set("worker-" + index, self.toString());
    String members;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while ((members = control.get("gang")) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no gang described within 60 s");
      }
      Thread.sleep(20);
    }
    List<UUID> uuids = Arrays.stream(members.split(",")).map(UUID::fromString).toList();
    return Gang.of(gangId, uuids, self);
  }

  private static void write(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }
}
