package dev.recap.worker.eval;

import static dev.recap.worker.data.BenchmarkFolders.depthPng;
import static dev.recap.worker.data.BenchmarkFolders.image;
import static dev.recap.worker.data.BenchmarkFolders.labelPng;
import static dev.recap.worker.data.BenchmarkFolders.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import dev.recap.worker.data.BenchmarkFolders;
import dev.recap.worker.data.DenseDataRun;
import dev.recap.worker.data.DenseIndex;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dense benchmarks in their published layouts (ADEChallengeData2016, NYUv2 as BTS lays it out),
 * images of mixed sizes, scored at each label's own resolution through sliding windows of the
 * encoder's input size (16 here). A head that predicts one class, or one depth, everywhere makes
 * every metric computable by hand from the labels alone; the comments hold the computation. A
 * score counted at the windows' resolution, or outside the Eigen crop, or on ignored pixels,
 * would give other numbers.
 */
class BenchmarkScoringTest {

  private static final int INPUT = 16;

  @TempDir
  static Path dir;

  private static NDManager manager;
  private static ImageTower encoder;
  private static Path ade;
  private static Path nyu;

  @BeforeAll
  static void setUp() throws Exception {
    manager = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(5);
    encoder = new TinyConvEncoder().build(PluginConfig.of("width", 8));
    encoder.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, INPUT, INPUT));
    ade = adeFixture();
    nyu = nyuFixture();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * ADE20k, validation (the test split):
   * A, 40x30: row 0 "other" (label 0, ignored); below it left half wall (1 -> id 0), right half
   *   building (2 -> id 1): 29 x 20 = 580 pixels each, 1160 labelled.
   * B, 30x50: columns 0..9 flag (150 -> id 149), 500 pixels; 10..24 floor (4 -> id 3), 15 x 50 =
   *   750 pixels; 25..29 "other" (ignored). 1250 labelled.
   * Training: three pairs of three other sizes.
   */
  private static Path adeFixture() throws Exception {
    Path root = BenchmarkFolders.ade20k(dir);
    BenchmarkFolders.adePair(root, "validation", "ADE_val_00000001", image(40, 30, (x, y) -> x < 20 ? 30 : 220),
        labelPng(40, 30, map(40, 30, (x, y) -> y == 0 ? 0 : x < 20 ? 1 : 2)));
    BenchmarkFolders.adePair(root, "validation", "ADE_val_00000002", image(30, 50, (x, y) -> x < 10 ? 250 : 90),
        labelPng(30, 50, map(30, 50, (x, y) -> x < 10 ? 150 : x < 25 ? 4 : 0)));
    int[][] sizes = {{24, 20}, {20, 36}, {48, 32}};
    for (int i = 0; i < sizes.length; i++) {
      int w = sizes[i][0];
      int h = sizes[i][1];
      BenchmarkFolders.adePair(root, "training", String.format("ADE_train_%08d", i + 1),
          image(w, h, (x, y) -> x < w / 2 ? 30 : 220), labelPng(w, h, map(w, h, (x, y) -> y == 0 ? 0 : x < w / 2 ? 1 : 2)));
    }
    return root;
  }

  /**
   * NYUv2 official test split:
   * C, 480x640 (the published size): outside the Eigen crop (rows 45..470, columns 41..600) 5 m,
   *   which must not count. Inside: rows 100..109 no measurement (0), rows 200..209 12 m (beyond
   *   the 10 m cap); the other 406 rows are 1.8 m in columns 41..299 (259 columns) and 4 m in
   *   300..600 (301 columns): n1 = 406 x 259 = 105154, n4 = 406 x 301 = 122206, n = 227360.
   * D, 240x320: the crop scaled by one half, rows round(22.5) = 23 .. round(235.5) = 236
   *   (exclusive), columns round(20.5) = 21 .. round(300.5) = 301: 213 x 280 = 59640 pixels of
   *   3 m; 6 m outside it.
   * Training: two pairs of other sizes.
   */
  private static Path nyuFixture() throws Exception {
    Path root = BenchmarkFolders.nyuv2(dir);
    BenchmarkFolders.nyuPair(root, "official_splits/test", "bathroom", 1, image(640, 480, (x, y) -> x / 3),
        depthPng(640, 480, map(640, 480, (x, y) -> y < 45 || y >= 471 || x < 41 || x >= 601 ? 5000
            : y >= 100 && y < 110 ? 0 : y >= 200 && y < 210 ? 12000 : x < 300 ? 1800 : 4000)));
    BenchmarkFolders.nyuPair(root, "official_splits/test", "kitchen", 2, image(320, 240, (x, y) -> y),
        depthPng(320, 240, map(320, 240, (x, y) -> y < 23 || y >= 236 || x < 21 || x >= 301 ? 6000 : 3000)));
    BenchmarkFolders.nyuPair(root, "sync", "office_0001", 5, image(40, 32, (x, y) -> x * 6),
        depthPng(40, 32, map(40, 32, (x, y) -> x < 3 ? 0 : 1000 + 50 * x)));
    BenchmarkFolders.nyuPair(root, "sync", "office_0002", 9, image(24, 30, (x, y) -> y * 8),
        depthPng(24, 30, map(24, 30, (x, y) -> 2000 + 40 * y)));
    return root;
  }

  private static DenseIndex index(String format, Path root, String split) throws Exception {
    return DenseDataRun.index(dir.resolve("artifacts"), format, root, split, 0, new ArrayList<>());
  }

  private static DenseEvalConfig config() {
    // batches of 3 windows: an image's windows may span two batches
    return DenseEvalConfig.frozen().withBatchSize(3).withSavedPredictions(0).withBootstrapResamples(0).withInputSize(INPUT);
  }

  @Test
  void segmentationIsCountedOnEveryOriginalLabelAsMmsegmentationDoes() throws Exception {
    DenseIndex test = index("ade20k", ade, "test");
    DenseTask task = DenseTask.segmentation(150);
    // the head predicts id 3 (floor) everywhere
    DenseHead.Model model = new ConstantHeadFixture(3, 0).build(task, encoder.featureLevels(), PluginConfig.empty());
    model.block().initialize(manager, DataType.FLOAT32, new Shape(1, 8, INPUT / 4, INPUT / 4));
    TestScoring.Scores scores = new TestScoring(config(), new SampleTensors(DenseEvalConfig.CLIP_MEAN, DenseEvalConfig.CLIP_STD),
        new SlidingWindows(INPUT), DepthEvaluation.ALL_MEASURED).score(encoder, model, test.samples(), task, manager);
    // over the whole split: 2410 labelled pixels, all predicted id 3.
    // IoU(3) = TP / (truth + predicted - TP) = 750 / (750 + 2410 - 750) = 750 / 2410;
    // ids 0, 1, 149 are in the labels, never predicted: IoU 0; the 146 other classes are in
    // neither and are left out. mIoU = (750 / 2410) / 4. aAcc = 750 / 2410. mAcc = (0 + 0 + 1 + 0) / 4.
    assertEquals(2410, scores.scoredPixels);
    assertEquals(750.0 / 2410 / 4, scores.metrics.get("mIoU"), 1e-12);
    assertEquals(750.0 / 2410, scores.metrics.get("aAcc"), 1e-12);
    assertEquals(0.25, scores.metrics.get("mAcc"), 1e-12);
    assertEquals(0.0, scores.perClassIoU.get(0));
    assertEquals(750.0 / 2410, scores.perClassIoU.get(3), 1e-12);
    assertTrue(Double.isNaN(scores.perClassIoU.get(2)), "a class in neither truth nor prediction is left out");
    // windows: A scales to 21x16 (int(40 * 16/30 + 0.5) = int(21.83)): x at 0 and 5, one row: 2;
    // B scales to 16x27: y at 0, 10 and 11 (the last flush with the border): 3
    assertEquals(5, scores.windows);
  }

  @Test
  void depthIsScoredInsideTheEigenCropAndRangeAtTheLabelsResolution() throws Exception {
    DenseIndex test = index("nyuv2", nyu, "test");
    DepthEvaluation evaluation = new DepthEvaluation(test.minDepth(), test.maxDepth(), test.eigenCrop());
    assertEquals(DepthEvaluation.NYUV2_EIGEN, evaluation);
    DenseTask task = DenseTask.depth();
    DenseHead.Model model = new ConstantHeadFixture(0, 2f).build(task, encoder.featureLevels(), PluginConfig.empty());
    model.block().initialize(manager, DataType.FLOAT32, new Shape(1, 8, INPUT / 4, INPUT / 4));
    TestScoring.Scores scores = new TestScoring(config(), new SampleTensors(DenseEvalConfig.CLIP_MEAN, DenseEvalConfig.CLIP_STD),
        new SlidingWindows(INPUT), evaluation).score(encoder, model, test.samples(), task, manager);
    // the prediction is 2 m everywhere. Image C (n1 = 105154 at 1.8 m, n4 = 122206 at 4 m):
    double g1 = 1.8f;
    double n1 = 105154;
    double n4 = 122206;
    double n = n1 + n4;
    double rmseC = Math.sqrt((n1 * (2 - g1) * (2 - g1) + n4 * 4) / n);
    double absRelC = (n1 * (2 - g1) / g1 + n4 * 0.5) / n;
    double delta1C = n1 / n; // 2 / 1.8 = 1.11 < 1.25; 4 / 2 = 2 is not
    // image D: 59640 pixels at 3 m: error 1 m everywhere, AbsRel 1/3, ratio 1.5 (not below 1.25,
    // below 1.25^2 = 1.5625)
    // Eigen-split evaluations average per-image errors over images:
    assertEquals(227360 + 59640, scores.scoredPixels);
    assertEquals((rmseC + 1) / 2, scores.metrics.get("rmse"), 1e-6);
    assertEquals((absRelC + 1.0 / 3) / 2, scores.metrics.get("absRel"), 1e-6);
    assertEquals((delta1C + 0) / 2, scores.metrics.get("delta1"), 1e-9);
    assertEquals((n1 / n + 1) / 2, scores.metrics.get("delta2"), 1e-9);
    // C scales to 21x16, D to 21x16: two windows each
    assertEquals(4, scores.windows);
  }

  @Test
  void aProbeTrainsOnCropsAndIsScoredOnWholeLabelsOfAnySize(@TempDir Path out) throws Exception {
    DenseIndex train = index("ade20k", ade, "train");
    DenseIndex test = index("ade20k", ade, "test");
    DenseSplits splits = new DenseSplits(train.samples(), test.samples(), train.classNames());
    DenseResult r = new DenseEvaluator(DenseEvalConfig.frozen().withInputSize(INPUT).withEpochs(20).withBatchSize(2)
        .withHeadLearningRate(0.05).withSavedPredictions(1).withBootstrapResamples(20).withSeed(3))
        .evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.segmentation(150), splits, out);
    assertEquals(3, r.trainSamples());
    assertEquals(2, r.testSamples());
    assertEquals(INPUT, r.inputSize());
    assertEquals(5, r.testWindows());
    assertEquals(2410, r.scoredPixels(), "every labelled pixel of the original labels");
    assertEquals(150, r.perClassIoU().size());
    assertTrue(r.metric("mIoU") >= 0 && r.metric("mIoU") <= 1, r.metrics().toString());
    // the training crops teach dark = wall, bright = building; test image A is coloured the same way
    assertTrue(r.perClassIoU().get(0) > 0 && r.perClassIoU().get(1) > 0, "wall and building found: " + r.perClassIoU());
    BufferedImage png = ImageIO.read(Path.of(r.predictionImages().get(0)).toFile());
    assertEquals(3 * 40 + 4, png.getWidth(), "input | truth | prediction at the label's 40x30");
    assertEquals(30, png.getHeight());

    DenseIndex depthTrain = index("nyuv2", nyu, "train");
    DenseIndex depthTest = index("nyuv2", nyu, "test");
    DenseResult d = new DenseEvaluator(DenseEvalConfig.finetune().withInputSize(INPUT).withEpochs(1).withBatchSize(2)
        .withSavedPredictions(0).withBootstrapResamples(0))
        .evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.depth(),
            new DenseSplits(depthTrain.samples(), depthTest.samples(), java.util.List.of(), DepthEvaluation.NYUV2_EIGEN), out);
    assertEquals(227360 + 59640, d.scoredPixels());
    assertTrue(Double.isFinite(d.metric("rmse")) && d.metric("rmse") > 0, d.metrics().toString());
  }

  @Test
  void anInputSizeTheEncoderCannotTakeIsRefusedNamingTheOption(@TempDir Path out) throws Exception {
    DenseIndex train = index("ade20k", ade, "train");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DenseEvaluator(DenseEvalConfig.frozen().withInputSize(18)).evaluate(encoder, new ProbeHeadFixture(),
            PluginConfig.empty(), DenseTask.segmentation(150), new DenseSplits(train.samples(), train.samples(), train.classNames()),
            out));
    assertTrue(e.getMessage().contains("'inputSize'") && e.getMessage().contains("multiples of 4"), e.getMessage());
  }

  @Test
  void withoutAnInputSizeImagesOfMixedSizesAreRefused(@TempDir Path out) throws Exception {
    DenseIndex train = index("ade20k", ade, "train");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DenseEvaluator(DenseEvalConfig.frozen()).evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(),
            DenseTask.segmentation(150), new DenseSplits(train.samples(), train.samples(), train.classNames()), out));
    assertTrue(e.getMessage().contains("all must match"), e.getMessage());
  }
}
