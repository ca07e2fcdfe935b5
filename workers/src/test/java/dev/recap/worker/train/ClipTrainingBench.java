package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import dev.recap.worker.exchange.Collective;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training throughput of a tiny CLIP on this machine: images/s at a batch size, a same-run fp32
 * matmul reference, and RSS over a long run (memory scoping).
 *
 * <p>System properties: {@code batch} (256), {@code size} (64), {@code steps} (10), {@code precision}
 * (FP32; for the RSS run), {@code profile} (a path: one step's libtorch profiler trace, chrome format) and {@code precisions} (comma-separated, for throughput, e.g. FP32,BF16_PRODUCTS,FP16_MIXED),
 * {@code rssSteps} (1000), {@code rssBatch} (32), {@code image} / {@code text} (extension class
 * names; default the test fixtures), {@code imageConfig} / {@code textConfig} ("k=v,k=v").
 */
public final class ClipTrainingBench {

  public static void main(String[] args) throws Exception {
    int batch = Integer.getInteger("batch", 256);
    int size = Integer.getInteger("size", 64);
    int steps = Integer.getInteger("steps", 10);
    int rssSteps = Integer.getInteger("rssSteps", 1000);
    int rssBatch = Integer.getInteger("rssBatch", 32);
    Precision precision = Precision.valueOf(System.getProperty("precision", "FP32"));
    ImageEncoder imageEncoder = (ImageEncoder) Class.forName(System.getProperty("image", ConvImageEncoderFixture.class.getName()))
        .getDeclaredConstructor().newInstance();
    TextEncoder textEncoder = (TextEncoder) Class.forName(System.getProperty("text", BagTextEncoderFixture.class.getName()))
        .getDeclaredConstructor().newInstance();
    PluginConfig imageConfig = parse(System.getProperty("imageConfig", "channels=32"));
    PluginConfig textConfig = parse(System.getProperty("textConfig", "width=128,context=32"));
    TextTokenizer tokenizer = textEncoder.tokenizer(textConfig, TinyClip.corpus());

    System.out.printf("machine: %d cores, java %s, torch threads intra=%s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("ai.djl.pytorch.num_threads", "default"));
    double matmul = matmulGflops(1024, 5);
    System.out.printf("reference fp32 matmul 1024^3: %.1f GFLOP/s%n", matmul);
    if (Precision.cpuHasBf16()) {
      System.out.printf("reference bf16 matmul 1024^3 (Recap's kernel, casts included): %.1f GFLOP/s%n",
          matmulGflops(1024, 5, Bf16Kernels.on(ai.djl.Device.cpu())));
    }

    for (String name : System.getProperty("precisions", precision.name()).split(",")) {
      throughput(Precision.valueOf(name.trim()), batch, size, steps, imageEncoder, imageConfig, textEncoder, textConfig, tokenizer);
    }
    if (steps > 0) {
      System.out.printf("reference fp32 matmul 1024^3 after the runs: %.1f GFLOP/s%n", matmulGflops(1024, 5));
      if (Precision.cpuHasBf16()) {
        System.out.printf("reference bf16 matmul 1024^3 after the runs: %.1f GFLOP/s%n",
            matmulGflops(1024, 5, Bf16Kernels.on(ai.djl.Device.cpu())));
      }
    }

    if (rssSteps > 0) {
      try (NDManager m = NDManager.newBaseManager()) {
        ClipTrainer trainer = trainer(m, imageEncoder, imageConfig, textEncoder, textConfig, tokenizer, size, precision);
        ClipBatch b = batch(tokenizer, rssBatch, size, 0);
        for (int s = 1; s <= rssSteps; s++) {
          trainer.step(b);
          if (s == 10 || s == 100 || s == rssSteps || s % 250 == 0) {
            Runtime rt = Runtime.getRuntime();
            System.out.printf("RSS after step %d (batch %d): %d MiB (Java heap committed %d MiB, used %d MiB)%n", s, rssBatch,
                rssKib() / 1024, rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
          }
        }
      }
    }
  }

  /** CPU time of this process (all threads), in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static void throughput(Precision precision, int batch, int size, int steps, ImageEncoder imageEncoder, PluginConfig imageConfig,
      TextEncoder textEncoder, PluginConfig textConfig, TextTokenizer tokenizer) {
    if (steps <= 0) {
      return;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer trainer = trainer(m, imageEncoder, imageConfig, textEncoder, textConfig, tokenizer, size, precision);
      long params = 0;
      for (var p : trainer.model().parameterList()) {
        params += p.getShape().size();
      }
      System.out.printf("model: image=%s %s, text=%s %s, %d parameters%n", imageEncoder.id(), imageConfig, textEncoder.id(), textConfig, params);
      List<ClipBatch> data = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        data.add(batch(tokenizer, batch, size, i));
      }
      trainer.step(data.get(0));
      trainer.step(data.get(1));
      String profile = System.getProperty("profile");
      if (profile != null) {
        // one step under libtorch's profiler: a chrome trace of every op with input shapes
        ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        trainer.step(data.get(0));
        ai.djl.pytorch.jni.JniUtils.stopProfile(profile);
        System.out.println("profile of one step written to " + profile);
      }
      long t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      double loss = 0;
      for (int s = 0; s < steps; s++) {
        loss = trainer.step(data.get(s % 2)).loss();
      }
      double sec = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      // CPU seconds per image: what a step costs in work, less sensitive than wall time to other
      // processes sharing the cores (exact at 1 thread; at more, idle spinning counts too)
      System.out.printf("%s training: batch %d, %dx%d: %.3f s/step, %.1f images/s (loss %.3f); %.2f cpu-ms/image%n", precision,
          batch, size, size, sec / steps, batch * steps / sec, loss, 1e3 * cpu / (batch * steps));
    }
  }

  static ClipTrainer trainer(NDManager m, ImageEncoder ie, PluginConfig ic, TextEncoder te, PluginConfig tc, TextTokenizer tok, int size,
      Precision precision) {
    Engine.getInstance().setRandomSeed(1);
    ImageTower image = ie.build(ie.resolve(ic));
    TextTower text = te.build(te.resolve(tc), tok);
    ClipModel model = new ClipModel(image, text, 128);
    model.initialize(m, size, size);
    return new ClipTrainer(model, m, TrainingOptions.clip(new CosineSchedule(5e-4, 10, 100_000, 0)).withPrecision(precision),
        Collective.single());
  }

  static ClipBatch batch(TextTokenizer tok, int n, int size, int seed) {
    Random r = new Random(seed);
    float[] px = new float[n * 3 * size * size];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextGaussian();
    }
    long[][] tokens = new long[n][];
    List<String> keys = new ArrayList<>();
    List<String> corpus = TinyClip.corpus();
    for (int i = 0; i < n; i++) {
      tokens[i] = tok.encode(corpus.get(i % corpus.size()));
      keys.add("bench/" + seed + "/" + i);
    }
    return new ClipBatch(px, size, size, tokens, keys);
  }

  static double matmulGflops(int n, int reps) {
    return matmulGflops(n, reps, dev.recap.api.Kernels.EXACT);
  }

  /** GFLOP/s of an n^3 matrix product through {@code kernels} (the bf16 kernel's casts included). */
  static double matmulGflops(int n, int reps, dev.recap.api.Kernels kernels) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(new Shape(n, n));
      NDArray b = m.randomNormal(new Shape(n, n));
      kernels.matMul(a, b).close();
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        kernels.matMul(a, b).close();
      }
      return 2.0 * n * n * n * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }
  }

  static long rssKib() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return -1;
  }

  static PluginConfig parse(String kv) {
    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (String pair : kv.split(",")) {
      if (!pair.isBlank()) {
        String[] p = pair.split("=", 2);
        map.put(p[0].trim(), p[1].trim());
      }
    }
    return PluginConfig.of(map);
  }
}
