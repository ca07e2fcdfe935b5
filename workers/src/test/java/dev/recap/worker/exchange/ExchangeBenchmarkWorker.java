package dev.recap.worker.exchange;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker JVM of {@link ExchangeBenchmark}'s process mode: joins the gang the benchmark
 * describes and writes, per round, the seconds of one all-reduce and one all-gather.
 *
 * <p>Arguments: clusterName basePort workerIndex outDir floats rounds embeddingFloats
 * bucketFloats
 */
public final class ExchangeBenchmarkWorker {

  public static void main(String[] args) throws Exception {
    int index = Integer.parseInt(args[2]);
    Path out = Path.of(args[3]).resolve("bench-" + index + ".bin");
    int floats = Integer.parseInt(args[4]);
    int rounds = Integer.parseInt(args[5]);
    int embedding = Integer.parseInt(args[6]);
    int bucketFloats = Integer.parseInt(args[7]);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(
        LoopbackCluster.config(args[0], Integer.parseInt(args[1])));
    try {
      Gang gang = ExchangeWorkerMain.announceAndAwaitGang(hz, index, "bench");
      ExchangeOptions options = ExchangeOptions.builder().bucketFloats(bucketFloats).build();
      try (HazelcastCollective c = HazelcastCollective.join(hz, gang, options);
          DataOutputStream o = new DataOutputStream(Files.newOutputStream(out))) {
        double[][] seconds = ExchangeBenchmark.run(c, floats, embedding, rounds);
        for (double[] series : seconds) {
          for (double s : series) {
            o.writeDouble(s);
          }
        }
        c.barrier("done");
      }
    } finally {
      hz.shutdown();
    }
  }
}
