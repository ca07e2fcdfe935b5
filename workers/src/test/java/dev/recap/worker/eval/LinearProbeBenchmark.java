package dev.recap.worker.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import java.nio.file.Path;
import java.util.List;

/**
 * Linear-probe evaluation throughput at 64 px. Not a unit test: run it with
 * the command in docs/benchmarks.md. Measures, in one JVM and one run:
 * the reference (the encoder's inference forward alone over the test images, images/s), then the
 * frozen protocol end to end (feature caching over train + test, head training, scoring) with its
 * phases, for segmentation and depth.
 *
 * <p>Arguments: [train images] [test images] [epochs] [output dir] [encoder: vit|conv].
 */
public final class LinearProbeBenchmark {

  public static void main(String[] args) throws Exception {
    int trainCount = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    int testCount = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path out = Path.of(args.length > 3 ? args[3] : "target/bench-eval");
    String kind = args.length > 4 ? args[4] : "vit";
    int size = 64;
    int batch = 32;
    List<Sample> train = SyntheticDenseScenes.generate(trainCount, size, 11, "train");
    List<Sample> test = SyntheticDenseScenes.generate(testCount, size, 12, "test");
    DenseSplits splits = new DenseSplits(train, test, SyntheticDenseScenes.CLASS_NAMES);
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      ImageTower encoder = kind.equals("conv")
          ? new TinyConvEncoder().build(PluginConfig.of("width", 32))
          : new TinyVitEncoder().build(PluginConfig.empty());
      encoder.block().initialize(manager, DataType.FLOAT32, new Shape(batch, 3, size, size));
      long params = encoder.block().getParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum();
      System.out.printf("encoder %s: %d parameters, level 0 %s; %d train, %d test images at %d px, batch %d, %d epochs, threads %s%n",
          kind, params, encoder.primaryLevel(), trainCount, testCount, size, batch, epochs,
          System.getProperty("ai.djl.pytorch.num_threads", "default"));

      SampleTensors tensors = new SampleTensors(DenseEvalConfig.CLIP_MEAN, DenseEvalConfig.CLIP_STD);
      forwardOnly(encoder, test.subList(0, Math.min(batch * 2, testCount)), tensors, manager, batch); // warm-up
      double cpu0 = cpuSeconds();
      double forwardSeconds = forwardOnly(encoder, test, tensors, manager, batch);
      double forwardCpu = cpuSeconds() - cpu0;
      System.out.printf("reference: encoder forward only (inference, batch %d): %.1f images/s wall, %.1f images per CPU-second%n",
          batch, testCount / forwardSeconds, testCount / forwardCpu);

      DenseEvalConfig config = DenseEvalConfig.frozen().withEpochs(epochs).withBatchSize(batch).withSavedPredictions(4);
      for (DenseTask task : List.of(DenseTask.segmentation(4), DenseTask.depth())) {
        double cpuBefore = cpuSeconds();
        DenseResult r = new DenseEvaluator(config).evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(), task, splits, out);
        double cpu = cpuSeconds() - cpuBefore;
        // CPU seconds of a whole probe vs what its encoder passes alone cost (train + test images, at the reference rate)
        double encoderShareCpu = (trainCount + testCount) * (forwardCpu / testCount);
        System.out.printf("%s linear probe: %.1f CPU-s in total, of which the encoder passes would cost %.1f CPU-s at the reference rate (%.0f%%)%n",
            task.kind(), cpu, encoderShareCpu, 100 * encoderShareCpu / cpu);
        double feature = r.timings().get("featureSeconds");
        double trainS = r.timings().get("trainSeconds");
        double score = r.timings().get("scoreSeconds");
        System.out.printf("%s linear probe: total %.2f s = %.1f images/s over train+test; features %.2f s (%.1f images/s), "
                + "head training %.2f s (%.1f images/s per epoch), scoring %.2f s (%.1f images/s); "
                + "end-to-end eval of the test split (its features + scoring) %.1f images/s = %.2fx the forward-only reference%n",
            task.kind(), r.seconds(), (trainCount + testCount) / r.seconds(), feature, (trainCount + testCount) / feature,
            trainS, trainCount * epochs / trainS, score, testCount / score,
            testCount / (feature * testCount / (trainCount + testCount) + score),
            (testCount / (feature * testCount / (trainCount + testCount) + score)) / (testCount / forwardSeconds));
        System.out.println("  metrics " + r.metrics());
        System.out.println("  pngs " + r.predictionImages());
      }
      // for budgeting the finetune protocol: one epoch, encoder forward + backward every step
      DenseEvalConfig tune = DenseEvalConfig.finetune().withEpochs(1).withBatchSize(batch).withSavedPredictions(0);
      DenseResult f = new DenseEvaluator(tune).evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(),
          DenseTask.segmentation(4), splits, out);
      System.out.printf("SEGMENTATION finetune, 1 epoch: training %.2f s (%.1f images/s), scoring %.2f s (%.1f images/s)%n",
          f.timings().get("trainSeconds"), trainCount / f.timings().get("trainSeconds"),
          f.timings().get("scoreSeconds"), testCount / f.timings().get("scoreSeconds"));
    }
  }

  /** CPU time of the whole process (JVM and libtorch threads), robust to other processes' load. */
  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  private static double forwardOnly(ImageTower encoder, List<Sample> samples, SampleTensors tensors, NDManager manager, int batch) {
    long t0 = System.nanoTime();
    for (int start = 0; start < samples.size(); start += batch) {
      try (NDManager step = manager.newSubManager()) {
        List<Sample> b = samples.subList(start, Math.min(samples.size(), start + batch));
        NDList out = encoder.block().forward(new ParameterStore(step, false), new NDList(tensors.images(step, b)), false);
        out.get(1).toFloatArray();
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
