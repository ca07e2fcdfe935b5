package dev.recap.worker.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import dev.recap.worker.data.BenchmarkFolders;
import dev.recap.worker.data.DenseDataRun;
import dev.recap.worker.data.DenseIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a dense benchmark as published costs, at its real image sizes: indexing (every image and
 * label decoded once) and a frozen linear probe scored at the labels' resolution through sliding
 * windows. Not a unit test: run it with the command in docs/benchmarks.md. Writes an
 * ADEChallengeData2016 folder of 683x512 images (ADE20k's common size; 150 classes) and an
 * nyu_depth_v2 folder of 640x480 images, then measures both.
 *
 * <p>Arguments: [train images] [test images] [input size] [work dir].
 */
public final class DenseBenchmarkCostBenchmark {

  public static void main(String[] args) throws Exception {
    int trainCount = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int testCount = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int input = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    Path work = Files.createDirectories(Path.of(args.length > 3 ? args[3] : "target/bench-dense"));
    Path ade = BenchmarkFolders.ade20k(Files.createTempDirectory(work, "ade"));
    for (int i = 0; i < trainCount + testCount; i++) {
      boolean train = i < trainCount;
      int seed = i;
      BenchmarkFolders.adePair(ade, train ? "training" : "validation",
          String.format(train ? "ADE_train_%08d" : "ADE_val_%08d", i + 1),
          BenchmarkFolders.image(683, 512, (x, y) -> (x * 7 + y * 3 + seed * 11) % 256),
          BenchmarkFolders.labelPng(683, 512, BenchmarkFolders.map(683, 512, (x, y) -> ((x / 40 + y / 40 + seed) % 151))));
    }
    Path nyu = BenchmarkFolders.nyuv2(Files.createTempDirectory(work, "nyu"));
    for (int i = 0; i < trainCount + testCount; i++) {
      int seed = i;
      BenchmarkFolders.nyuPair(nyu, i < trainCount ? "sync" : "official_splits/test", "scene_" + (i % 4), i,
          BenchmarkFolders.image(640, 480, (x, y) -> (x + seed) % 256),
          BenchmarkFolders.depthPng(640, 480, BenchmarkFolders.map(640, 480, (x, y) -> 500 + (x * 13 + y * 7 + seed) % 9000)));
    }
    System.out.printf("%d train + %d test pairs per benchmark (ADE20k 683x512, NYUv2 640x480), input size %d, threads %s%n",
        trainCount, testCount, input, System.getProperty("ai.djl.pytorch.num_threads", "default"));
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      ImageTower encoder = new TinyVitEncoder().build(PluginConfig.empty());
      encoder.block().initialize(manager, DataType.FLOAT32, new Shape(16, 3, input, input));
      for (String format : List.of("ade20k", "nyuv2")) {
        Path root = format.equals("ade20k") ? ade : nyu;
        long t0 = System.nanoTime();
        DenseIndex train = DenseDataRun.index(work.resolve("artifacts"), format, root, "train", 0, new ArrayList<>());
        DenseIndex test = DenseDataRun.index(work.resolve("artifacts"), format, root, "test", 0, new ArrayList<>());
        double indexSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s indexing: %.1f s, %.1f pairs/s%n", format, indexSeconds, (trainCount + testCount) / indexSeconds);
        boolean segmentation = format.equals("ade20k");
        DenseSplits splits = new DenseSplits(train.samples(), test.samples(), train.classNames(),
            segmentation ? DepthEvaluation.ALL_MEASURED : DepthEvaluation.NYUV2_EIGEN);
        DenseResult r = new DenseEvaluator(DenseEvalConfig.frozen().withInputSize(input).withEpochs(2).withBatchSize(16)
            .withSavedPredictions(0).withBootstrapResamples(200))
            .evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(),
                segmentation ? DenseTask.segmentation(150) : DenseTask.depth(), splits, work);
        System.out.printf("%s frozen probe: %.1f s (%s), %d test windows, %d pixels scored, %.2f test images/s%n", format,
            r.seconds(), r.timings(), r.testWindows(), r.scoredPixels(), testCount / r.timings().get("scoreSeconds"));
      }
    }
  }
}
