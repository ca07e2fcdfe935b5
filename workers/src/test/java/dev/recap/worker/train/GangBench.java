package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.exchange.Gang;
import dev.recap.worker.exchange.HazelcastCollective;
import dev.recap.worker.exchange.LoopbackCluster;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Gang step time split into compute and exchange at 1, 2 and 3 worker JVMs on loopback, with two
 * references measured in the same run: the same worker JVMs training alone (no exchange) and a
 * raw loopback TCP transfer of the gradient's bytes.
 *
 * <p>The driver (this main without arguments) is an idle cluster member, where the coordinator
 * would be; each worker JVM ({@code worker} argument) builds the same CLIP, trains
 * {@code warmup + steps} steps of a fixed global batch through {@link ClipTrainer} on a
 * {@link HazelcastCollective} wrapped in a timer, and reports per-step times: the trainer
 * thread's time in the collective (embedding all-gather, all-reduce, waiting for the overlapped
 * all-reduce), the overlapped all-reduce's own time, and the CPU of the other threads. The driver
 * combines the ranks per step (see docs/benchmarks.md#gang for the columns).
 *
 * <p>Properties: {@code -Dimage=<ImageEncoder class> -DimageConfig=k=v,...}, {@code -Dtext=...
 * -DtextConfig=...}, {@code -Dsize=64 -Dbatch=48 -Dwarmup=10 -Dsteps=20 -Dworkers=1,2,3
 * -Dsolo=true -Dthreads=<libtorch threads per worker>}. Warm-up matters: the exchange's
 * serialization paths are JIT-compiled over the first steps.
 */
public final class GangBench {

  private static final String CONTROL = "bench.gang.control";

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("worker")) {
      worker(args);
      return;
    }
    int[] sizes = Arrays.stream(System.getProperty("workers", "1,2,3").split(",")).mapToInt(Integer::parseInt).toArray();
    try (LoopbackCluster cluster = new LoopbackCluster().start(1)) {
      IMap<String, String> control = cluster.members.get(0).getMap(CONTROL);
      System.out.println("| workers | per-rank batch | step ms | slowest rank's compute ms | exchange on the critical path"
          + " ms (share) | exposed exchange ms, worst rank: all-gather + all-reduce (share) | overlapped all-reduce ms"
          + " | CPU ms of the other threads per step | gradient MB | all-reduce MB/s | raw TCP MB/s just before |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      for (int n : sizes) {
        row(cluster, control, n, false);
        if (n > 1 && Boolean.parseBoolean(System.getProperty("solo", "true"))) {
          row(cluster, control, n, true);
        }
      }
    } finally {
      System.exit(0);
    }
  }

  /**
   * One table row: {@code n} worker JVMs training together, or ({@code solo}) the same JVMs with
   * the same per-rank batches each training alone, without any exchange: the reference the
   * gang's step time is compared with, measured under the same contention for the cores.
   */
  private static void row(LoopbackCluster cluster, IMap<String, String> control, int n, boolean solo)
      throws Exception {
    String run = "n" + n + (solo ? "-solo-" : "-") + UUID.randomUUID();
    List<Process> workers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      workers.add(startWorker(cluster, run, i, n, solo));
    }
    List<UUID> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = run + "/up-" + i;
      while (control.get(key) == null) {
        checkAlive(workers);
        Thread.sleep(50);
      }
      members.add(UUID.fromString(control.get(key)));
    }
    String gradientBytes = null;
    while ((gradientBytes = control.get(run + "/gradient-bytes")) == null) {
      checkAlive(workers);
      Thread.sleep(50);
    }
    double tcp = rawTcpMbPerSecond(Integer.parseInt(gradientBytes));
    control.set(run + "/gang", String.join(",", members.stream().map(UUID::toString).toList()));
    // per rank: rows step, gather, reduce; columns the timed steps
    double[][][] timings = new double[n][][];
    for (int i = 0; i < n; i++) {
      String key = run + "/result-" + i;
      while (control.get(key) == null) {
        checkAlive(workers);
        Thread.sleep(100);
      }
      timings[i] = Arrays.stream(control.get(key).split(";"))
          .map(row -> Arrays.stream(row.split(",")).mapToDouble(Double::parseDouble).toArray())
          .toArray(double[][]::new);
    }
    int steps = timings[0][0].length;
    double[] step = new double[steps];
    double[] compute = new double[steps];
    double[] critical = new double[steps];
    double[] inCollective = new double[steps];
    double[] gatherOfWorst = new double[steps];
    double[] reduceOfWorst = new double[steps];
    double[] leastReduce = new double[steps];
    double[] overlappedOfWorst = new double[steps];
    double[] otherCpu = new double[steps];
    for (int s = 0; s < steps; s++) {
      leastReduce[s] = Double.MAX_VALUE;
      for (int r = 0; r < n; r++) {
        double g = timings[r][1][s];
        double red = timings[r][2][s];
        double over = timings[r][3][s];
        otherCpu[s] = Math.max(otherCpu[s], timings[r][4][s]);
        step[s] = Math.max(step[s], timings[r][0][s]);
        compute[s] = Math.max(compute[s], timings[r][0][s] - g - red);
        if (g + red >= inCollective[s]) {
          inCollective[s] = g + red;
          gatherOfWorst[s] = g;
          reduceOfWorst[s] = red;
          overlappedOfWorst[s] = over;
        }
        // whole all-reduce time of the rank that waited least: closest to the transport's own
        leastReduce[s] = Math.min(leastReduce[s], red + over);
      }
      critical[s] = step[s] - compute[s];
    }
    double st = median(step);
    int batch = Integer.getInteger("batch", 48);
    double mb = Integer.parseInt(gradientBytes) / 1e6;
    System.out.printf("| %s | %d | %.0f | %.0f | %.0f (%.1f%%) | %.0f + %.0f = %.0f (%.1f%%) | %.0f | %.0f | %.1f | %s | %.0f |%n",
        solo ? n + ", each alone (no exchange)" : String.valueOf(n), batch / n, st, median(compute), median(critical), 100 * median(critical) / st,
        median(gatherOfWorst), median(reduceOfWorst), median(inCollective), 100 * median(inCollective) / st,
        median(overlappedOfWorst), median(otherCpu), mb,
        n == 1 || solo ? "-" : String.format("%.0f", mb / (median(leastReduce) / 1000)), tcp);
    for (Process p : workers) {
      p.waitFor();
    }
  }

  private static void checkAlive(List<Process> workers) {
    for (Process p : workers) {
      if (!p.isAlive() && p.exitValue() != 0) {
        throw new IllegalStateException("a bench worker died with exit code " + p.exitValue());
      }
    }
  }

  private static Process startWorker(LoopbackCluster cluster, String run, int index, int n, boolean solo)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Xmx1g", "-Djava.net.preferIPv4Stack=true", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=" + Integer.getInteger("threads", Math.max(1, 2 / n)), "-Dai.djl.pytorch.num_interop_threads=1"));
    for (String p : List.of("image", "imageConfig", "text", "textConfig", "size", "batch", "warmup", "steps", "bucketFloats")) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of(GangBench.class.getName(), "worker", cluster.name, String.valueOf(cluster.basePort), run,
        String.valueOf(index), String.valueOf(n), String.valueOf(solo)));
    return new ProcessBuilder(cmd).inheritIO().start();
  }

  private static void worker(String[] args) throws Exception {
    String run = args[3];
    int index = Integer.parseInt(args[4]);
    int n = Integer.parseInt(args[5]);
    boolean solo = Boolean.parseBoolean(args[6]);
    int size = Integer.getInteger("size", 64);
    int batch = Integer.getInteger("batch", 48);
    int warmup = Integer.getInteger("warmup", 10);
    int steps = Integer.getInteger("steps", 20);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(LoopbackCluster.config(args[1], Integer.parseInt(args[2])));
    try (NDManager manager = NDManager.newBaseManager()) {
      IMap<String, String> control = hz.getMap(CONTROL);
      ImageEncoder imageEncoder = (ImageEncoder) Class.forName(System.getProperty("image",
          ConvImageEncoderFixture.class.getName())).getDeclaredConstructor().newInstance();
      TextEncoder textEncoder = (TextEncoder) Class.forName(System.getProperty("text",
          BagTextEncoderFixture.class.getName())).getDeclaredConstructor().newInstance();
      PluginConfig imageConfig = imageEncoder.resolve(parse(System.getProperty("imageConfig", "channels=32")));
      PluginConfig textConfig = textEncoder.resolve(parse(System.getProperty("textConfig", "width=128,context=32")));
      TextTokenizer tokenizer = textEncoder.tokenizer(textConfig, SyntheticPairs.corpus());
      Engine.getInstance().setRandomSeed(1);
      ClipModel model = new ClipModel(imageEncoder.build(imageConfig), textEncoder.build(textConfig, tokenizer), 128);
      model.initialize(manager, size, size);
      SyntheticPairs data = new SyntheticPairs(batch * 4, batch, size, tokenizer, 1);
      control.set(run + "/up-" + index, hz.getCluster().getLocalMember().getUuid().toString());
      TrainingOptions probe = TrainingOptions.clip(new CosineSchedule(1e-4, 1, warmup + steps, 1e-5));
      control.set(run + "/gradient-bytes", String.valueOf(4L * new AdamW(probe.adamW(), model.parameterList()).size()));
      String members;
      while ((members = control.get(run + "/gang")) == null) {
        Thread.sleep(20);
      }
      Gang gang = Gang.of(run, Arrays.stream(members.split(",")).map(UUID::fromString).toList(),
          hz.getCluster().getLocalMember().getUuid());
      try (HazelcastCollective hc = HazelcastCollective.join(hz, gang,
          ExchangeOptions.builder().bucketFloats(Integer.getInteger("bucketFloats", ExchangeOptions.defaults().bucketFloats())).build())) {
        TimedCollective timed = new TimedCollective(n == 1 || solo ? Collective.single() : hc);
        ClipTrainer trainer = new ClipTrainer(model, manager, probe, timed);
        double[] step = new double[steps];
        double[] gather = new double[steps];
        double[] reduce = new double[steps];
        double[] overlapped = new double[steps];
        double[] otherCpu = new double[steps];
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int s = 0; s < warmup + steps; s++) {
          ClipBatch b = data.slice(s, gang.rank(), n);
          timed.reset();
          long cpu0 = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          trainer.step(b);
          long t = System.nanoTime() - t0;
          long cpu = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime() - cpu0;
          if (s >= warmup) {
            step[s - warmup] = t / 1e6;
            gather[s - warmup] = timed.gatherNanos / 1e6;
            // exposed: the trainer thread's all-reduce plus its wait for the overlapped one
            reduce[s - warmup] = (timed.reduceNanos + trainer.overlapWaitNanos()) / 1e6;
            overlapped[s - warmup] = timed.overlappedNanos / 1e6;
            otherCpu[s - warmup] = cpu / 1e6;
          }
        }
        control.set(run + "/result-" + index, String.join(";", csv(step), csv(gather), csv(reduce), csv(overlapped), csv(otherCpu)));
        // where the CPU went, by thread (whole run, warm-up included): for reading, not for the table
        StringBuilder byThread = new StringBuilder("worker " + index + " of " + n + (solo ? " alone" : "") + ", CPU s by thread:");
        Arrays.stream(threads.getAllThreadIds()).boxed()
            .map(id -> Map.entry(String.valueOf(threads.getThreadInfo(id) == null ? id : threads.getThreadInfo(id).getThreadName()),
                threads.getThreadCpuTime(id)))
            .filter(e -> e.getValue() > 50_000_000L)
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .forEach(e -> byThread.append(String.format(" %s=%.2f", e.getKey(), e.getValue() / 1e9)));
        byThread.append(String.format(" | process=%.2f", os.getProcessCpuTime() / 1e9));
        System.out.println(byThread);
      }
    } finally {
      hz.shutdown();
    }
  }

  /**
   * A collective that times its operations: those of the trainer's thread (exposed) apart from
   * the all-reduce the trainer overlaps with its text tower's backward on another thread.
   */
  private static final class TimedCollective implements Collective {
    private final Collective inner;
    private final Thread trainerThread = Thread.currentThread();
    long gatherNanos;
    long reduceNanos;
    volatile long overlappedNanos;

    TimedCollective(Collective inner) {
      this.inner = inner;
    }

    void reset() {
      gatherNanos = 0;
      reduceNanos = 0;
      overlappedNanos = 0;
    }

    @Override
    public int rank() {
      return inner.rank();
    }

    @Override
    public int worldSize() {
      return inner.worldSize();
    }

    @Override
    public void allReduceSum(String tag, float[] data) {
      long t = System.nanoTime();
      inner.allReduceSum(tag, data);
      if (Thread.currentThread() == trainerThread) {
        reduceNanos += System.nanoTime() - t;
      } else {
        overlappedNanos += System.nanoTime() - t;
      }
    }

    @Override
    public float[][] allGather(String tag, float[] local) {
      long t = System.nanoTime();
      float[][] out = inner.allGather(tag, local);
      gatherNanos += System.nanoTime() - t;
      return out;
    }
  }

  private static String csv(double[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Double::toString).toList());
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  private static PluginConfig parse(String s) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String kv : s.split(",")) {
      if (!kv.isBlank()) {
        String[] p = kv.split("=", 2);
        m.put(p[0].trim(), p[1].trim());
      }
    }
    return PluginConfig.of(m);
  }

  /** Median of 5 one-way transfers of {@code bytes} over a loopback socket, in MB/s. */
  static double rawTcpMbPerSecond(int bytes) throws Exception {
    double[] times = new double[5];
    byte[] payload = new byte[bytes];
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread reader = new Thread(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream ack = s.getOutputStream()) {
          byte[] buf = new byte[1 << 16];
          for (int r = 0; r < times.length + 1; r++) {
            long left = bytes;
            while (left > 0) {
              int k = in.read(buf, 0, (int) Math.min(buf.length, left));
              if (k < 0) {
                return;
              }
              left -= k;
            }
            ack.write(1);
            ack.flush();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      reader.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = s.getOutputStream(); InputStream ack = s.getInputStream()) {
        for (int r = 0; r < times.length + 1; r++) {
          long t = System.nanoTime();
          out.write(payload);
          out.flush();
          ack.read();
          if (r > 0) {
            times[r - 1] = (System.nanoTime() - t) / 1e9;
          }
        }
      }
      reader.join();
    }
    return bytes / 1e6 / median(times);
  }
}
