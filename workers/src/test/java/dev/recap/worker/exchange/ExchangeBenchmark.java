package dev.recap.worker.exchange;

import com.hazelcast.map.IMap;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Exchange throughput of {@link HazelcastCollective} for a model-sized gradient at 2 and 3
 * members, against a raw loopback TCP transfer of the same bytes measured in the same run.
 *
 * <p>Arguments (all optional): floats (default 4,000,000 = 16 MB, tiny-CLIP sized), rounds
 * (default 8), embedding floats per rank (default 256*512), bucket floats (default 1 Mi).
 * Two modes: "threads" (every rank a member in this JVM, on its own thread; members still talk
 * over loopback TCP) and "processes" (every rank its own JVM, this JVM an idle extra member).
 */
public final class ExchangeBenchmark {

  public static void main(String[] args) throws Exception {
    int floats = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int embedding = args.length > 2 ? Integer.parseInt(args[2]) : 256 * 512;
    int bucketFloats = args.length > 3 ? Integer.parseInt(args[3]) : 1 << 20;
    ExchangeOptions options = ExchangeOptions.builder().bucketFloats(bucketFloats).build();
    double mb = floats * 4.0 / 1e6;
    System.out.printf(Locale.ROOT, "buffer: %d floats = %.1f MB, %d timed rounds after 2 warm-up"
        + " rounds, buckets of %d floats, %d cores%n", floats, mb, rounds, bucketFloats,
        Runtime.getRuntime().availableProcessors());

    System.out.println("| what | median time | MB/s of buffer | raw TCP just before | ratio |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (String mode : new String[] {"threads", "processes"}) {
      for (int n : new int[] {2, 3}) {
        // The reference is re-measured next to each row: the machine's load drifts.
        double tcp = medianSeconds(rawTcp(floats * 4, rounds + 2), 2);
        List<double[][]> perRank = mode.equals("threads")
            ? inThreads(n, options, floats, embedding, rounds)
            : inProcesses(n, floats, embedding, rounds, bucketFloats);
        double r = medianSeconds(slowestRank(perRank, 0), 2);
        double g = medianSeconds(slowestRank(perRank, 1), 2);
        System.out.printf(Locale.ROOT, "| allReduceSum, %d ranks (%s) | %.1f ms | %.0f MB/s |"
            + " %.1f ms = %.0f MB/s | %.2f |%n", n, mode, r * 1e3, mb / r, tcp * 1e3, mb / tcp,
            tcp / r);
        System.out.printf(Locale.ROOT, "| allGather %d floats/rank, %d ranks (%s) | %.1f ms |"
            + " | | |%n", embedding, n, mode, g * 1e3);
      }
    }
  }

  /** Every rank a thread with its own member in this JVM. */
  private static List<double[][]> inThreads(int n, ExchangeOptions options, int floats,
      int embedding, int rounds) throws Exception {
    try (LoopbackCluster cluster = new LoopbackCluster().start(n)) {
      return Gangs.onEveryRank(cluster.members, "bench-" + n, options,
          c -> run(c, floats, embedding, rounds));
    }
  }

  /** Every rank its own JVM; this JVM is one more (idle) member, as the coordinator is. */
  private static List<double[][]> inProcesses(int n, int floats, int embedding, int rounds,
      int bucketFloats) throws Exception {
    Path dir = Files.createTempDirectory("exchange-bench");
    List<Process> workers = new ArrayList<>();
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      for (int i = 0; i < n; i++) {
        workers.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            "-Xmx1g", "-Djava.net.preferIPv4Stack=true",
            ExchangeBenchmarkWorker.class.getName(), cluster.name,
            String.valueOf(cluster.basePort), String.valueOf(i), dir.toString(),
            String.valueOf(floats), String.valueOf(rounds), String.valueOf(embedding),
            String.valueOf(bucketFloats))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker-" + i + ".log").toFile()).start());
      }
      IMap<String, String> control = cluster.members.get(0).getMap(ExchangeWorkerMain.CONTROL_MAP);
      StringBuilder gang = new StringBuilder();
      for (int i = 0; i < n; i++) {
        String uuid;
        while ((uuid = control.get("worker-" + i)) == null) {
          if (!workers.get(i).isAlive()) {
            throw new IllegalStateException("worker " + i + " died, see " + dir);
          }
          Thread.sleep(50);
        }
        gang.append(i == 0 ? "" : ",").append(uuid);
      }
      control.set("gang", gang.toString());
      List<double[][]> perRank = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!workers.get(i).waitFor(10, TimeUnit.MINUTES) || workers.get(i).exitValue() != 0) {
          throw new IllegalStateException("worker " + i + " failed, see " + dir);
        }
        try (DataInputStream in = new DataInputStream(
            Files.newInputStream(dir.resolve("bench-" + i + ".bin")))) {
          double[][] seconds = new double[2][rounds + 2];
          for (double[] series : seconds) {
            for (int k = 0; k < series.length; k++) {
              series[k] = in.readDouble();
            }
          }
          perRank.add(seconds);
        }
      }
      return perRank;
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
  }

  /** Per round: seconds of the all-reduce and of the all-gather, behind a barrier each. */
  static double[][] run(HazelcastCollective c, int floats, int embedding, int rounds) {
    float[] grad = HazelcastCollectiveTest.gradient(c.rank(), 0, floats);
    float[] emb = HazelcastCollectiveTest.gradient(c.rank(), 1, embedding);
    double[][] seconds = new double[2][rounds + 2];
    for (int i = 0; i < rounds + 2; i++) {
      c.barrier("b/" + i);
      long t0 = System.nanoTime();
      c.allReduceSum("grad/" + i, grad);
      long t1 = System.nanoTime();
      c.barrier("c/" + i);
      long t2 = System.nanoTime();
      c.allGather("emb/" + i, emb);
      long t3 = System.nanoTime();
      seconds[0][i] = (t1 - t0) / 1e9;
      seconds[1][i] = (t3 - t2) / 1e9;
    }
    return seconds;
  }

  private static double[] slowestRank(List<double[][]> perRank, int which) {
    double[] out = perRank.get(0)[which].clone();
    for (double[][] rank : perRank) {
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.max(out[i], rank[which][i]);
      }
    }
    return out;
  }

  private static double medianSeconds(double[] seconds, int skip) {
    double[] timed = Arrays.copyOfRange(seconds, skip, seconds.length);
    Arrays.sort(timed);
    return timed[timed.length / 2];
  }

  /** Seconds to push {@code bytes} through a loopback socket and get a one-byte ack. */
  static double[] rawTcp(int bytes, int rounds) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Void> sink = pool.submit(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream()) {
          byte[] buf = new byte[1 << 16];
          for (int r = 0; r < rounds; r++) {
            long left = bytes;
            while (left > 0) {
              int n = in.read(buf, 0, (int) Math.min(buf.length, left));
              if (n < 0) {
                throw new IOException("peer closed");
              }
              left -= n;
            }
            out.write(1);
            out.flush();
          }
        }
        return null;
      });
      double[] seconds = new double[rounds];
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
        byte[] payload = new byte[bytes];
        new java.util.Random(7).nextBytes(payload);
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          for (int off = 0; off < bytes; off += 1 << 16) {
            out.write(payload, off, Math.min(1 << 16, bytes - off));
          }
          out.flush();
          if (in.read() != 1) {
            throw new IOException("no ack");
          }
          seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
      }
      sink.get();
      return seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  private ExchangeBenchmark() {}

}
