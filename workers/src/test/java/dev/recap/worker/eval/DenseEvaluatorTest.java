package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenseEvaluatorTest {

  private static final int SIZE = 32;
  private static final DenseTask SEGMENTATION = DenseTask.segmentation(4);
  private static final List<Sample> TRAIN = SyntheticDenseScenes.generate(48, SIZE, 1, "train");
  private static final List<Sample> TEST = SyntheticDenseScenes.generate(16, SIZE, 2, "test");
  private static final DenseSplits SPLITS = new DenseSplits(TRAIN, TEST, SyntheticDenseScenes.CLASS_NAMES);

  private static NDManager manager;
  private static ImageTower randomEncoder;
  private static ImageTower trainedEncoder;

  @BeforeAll
  static void encoders() {
    manager = NDManager.newBaseManager();
    randomEncoder = encoder(7);
    trainedEncoder = encoder(7);
    trainOnSegmentation(trainedEncoder, 60);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static ImageTower encoder(int seed) {
    Engine.getInstance().setRandomSeed(seed);
    ImageTower tower = new TinyConvEncoder().build(PluginConfig.of("width", 16));
    tower.block().initialize(manager, DataType.FLOAT32, new Shape(8, 3, SIZE, SIZE));
    return tower;
  }

  /** "Pretraining" for the test: the encoder and a throwaway probe trained on segmentation. */
  private static void trainOnSegmentation(ImageTower tower, int steps) {
    DenseHead.Model probe = new ProbeHeadFixture().build(SEGMENTATION, tower.featureLevels(), PluginConfig.empty());
    probe.block().initialize(manager, DataType.FLOAT32, new Shape(8, 16, SIZE / 4, SIZE / 4));
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
    SampleTensors tensors = new SampleTensors(DenseEvalConfig.CLIP_MEAN, DenseEvalConfig.CLIP_STD);
    for (int step = 0; step < steps; step++) {
      int start = (step * 8) % TRAIN.size();
      List<Sample> batch = TRAIN.subList(start, start + 8);
      try (NDManager m = manager.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDList dense = DenseEvaluator.dense(tower.block(), m, tensors.images(m, batch), true);
          NDList out = probe.block().forward(new ParameterStore(m, false), dense, true);
          gc.backward(probe.loss().evaluate(new NDList(SampleTensors.targets(m, batch, SEGMENTATION)), out));
        }
        List<Parameter> all = new ArrayList<>();
        tower.block().getParameters().forEach(p -> all.add(p.getValue()));
        probe.block().getParameters().forEach(p -> all.add(p.getValue()));
        for (Parameter p : all) {
          if (p.requiresGradient()) {
            NDArray g = p.getArray().getGradient();
            g.attach(m);
            adam.update(p.getId(), p.getArray(), g);
            g.subi(g);
          }
        }
      }
    }
  }

  private static DenseEvalConfig quick(DenseEvalConfig base) {
    return base.withEpochs(4).withBatchSize(8).withHeadLearningRate(0.02).withSeed(3).withSavedPredictions(2);
  }

  private static Map<String, float[]> snapshot(ImageTower tower) {
    Map<String, float[]> values = new java.util.LinkedHashMap<>();
    for (Pair<String, Parameter> p : tower.block().getParameters()) {
      values.put(p.getKey() + ":" + p.getValue().requiresGradient(), p.getValue().getArray().toFloatArray());
    }
    return values;
  }

  @Test
  void randomAndTrainedEncodersFillTheSameTable(@TempDir Path dir) throws Exception {
    DenseEvaluator probe = new DenseEvaluator(quick(DenseEvalConfig.frozen()));
    List<DenseResult> rows = new ArrayList<>();
    for (ImageTower encoder : List.of(randomEncoder, trainedEncoder)) {
      rows.add(probe.evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir.resolve("seg")));
      rows.add(probe.evaluate(encoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.depth(), SPLITS, dir.resolve("depth")));
    }
    for (DenseResult r : rows) {
      assertEquals("FROZEN", r.protocol());
      assertEquals(48, r.trainSamples());
      assertEquals(16, r.testSamples());
      assertEquals(4 * 6, r.steps());
      assertEquals(4, r.trainLoss().size());
      assertTrue(Double.isFinite(r.metric("testLoss")) && Double.isFinite(r.metric("finalTrainLoss")));
      if (r.task().equals("SEGMENTATION")) {
        for (String k : List.of("mIoU", "aAcc", "mAcc")) {
          assertTrue(r.metric(k) >= 0 && r.metric(k) <= 1, k + " = " + r.metric(k));
        }
        assertEquals(4, r.perClassIoU().size());
        assertEquals(SyntheticDenseScenes.CLASS_NAMES, r.classNames());
      } else {
        for (String k : List.of("rmse", "absRel", "log10", "delta1", "delta2", "delta3")) {
          assertTrue(Double.isFinite(r.metric(k)) && r.metric(k) >= 0, k + " = " + r.metric(k));
        }
        assertTrue(r.perClassIoU().isEmpty());
      }
      // every quality metric has a test-resampling standard error: positive (16 different
      // scenes) and far below the metric's own range
      assertEquals(TestSetBootstrap.DEFAULT_RESAMPLES, r.bootstrapResamples());
      for (String k : r.task().equals("SEGMENTATION") ? List.of("mIoU", "aAcc", "mAcc") : List.of("rmse", "absRel", "delta1")) {
        double se = r.standardErrors().get(k);
        assertTrue(se > 0 && se < 0.5 * Math.max(r.metric(k), 1e-9) + 0.05, k + " standard error " + se + " for " + r.metric(k));
      }
      assertEquals(2, r.predictionImages().size());
      for (String png : r.predictionImages()) {
        BufferedImage image = ImageIO.read(Path.of(png).toFile());
        assertNotNull(image, png + " is not a decodable PNG");
        assertEquals(3 * SIZE + 4, image.getWidth());
        assertEquals(SIZE, image.getHeight());
      }
    }
    // the encoder trained on the task must give the better probe; random features still learn something
    assertTrue(rows.get(2).metric("mIoU") > rows.get(0).metric("mIoU"),
        "trained " + rows.get(2).metric("mIoU") + " vs random " + rows.get(0).metric("mIoU"));
  }

  @Test
  void finetuningTrainsTheEncoderButGivesItBackUnchanged(@TempDir Path dir) {
    Map<String, float[]> before = snapshot(randomEncoder);
    DenseEvalConfig config = quick(DenseEvalConfig.finetune()).withEncoderLearningRate(0.005).withLayerDecay(0.5).withEpochs(2);
    DenseResult tuned = new DenseEvaluator(config)
        .evaluate(randomEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir);
    assertEquals("FINETUNE", tuned.protocol());
    assertTrue(tuned.metric("mIoU") >= 0 && tuned.metric("mIoU") <= 1);
    Map<String, float[]> after = snapshot(randomEncoder);
    assertEquals(before.keySet(), after.keySet(), "trainable flags changed");
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " changed"));
    // the frozen protocol also hands back the trainable flags it found
    new DenseEvaluator(quick(DenseEvalConfig.frozen()).withEpochs(1))
        .evaluate(randomEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir);
    assertEquals(before.keySet(), snapshot(randomEncoder).keySet());
  }

  @Test
  void featureCacheGivesBackEveryLevelOfTheRightSampleInAnyOrder() {
    Engine.getInstance().setRandomSeed(9);
    ImageTower twoLevels = new TinyConvEncoder().build(PluginConfig.of("width", 8, "twoLevels", true));
    twoLevels.block().initialize(manager, DataType.FLOAT32, new Shape(4, 3, SIZE, SIZE));
    SampleTensors tensors = new SampleTensors(DenseEvalConfig.CLIP_MEAN, DenseEvalConfig.CLIP_STD);
    List<Sample> samples = TEST.subList(0, 10);
    try (NDManager m = manager.newSubManager()) {
      FeatureCache cache = new FeatureCache(twoLevels, tensors, samples, 4, m); // batches of 4, 4, 2
      assertEquals(10, cache.size());
      NDList cached = cache.batch(m, List.of(9, 2, 5));
      NDList live = DenseEvaluator.dense(twoLevels.block(), m,
          tensors.images(m, List.of(samples.get(9), samples.get(2), samples.get(5))), false);
      assertEquals(2, cached.size());
      for (int level = 0; level < 2; level++) {
        assertEquals(live.get(level).getShape(), cached.get(level).getShape());
        assertArrayEquals(live.get(level).toFloatArray(), cached.get(level).toFloatArray(), 1e-5f, "level " + level);
      }
    }
  }

  @Test
  void sameSeedSameResult(@TempDir Path dir) {
    DenseEvaluator probe = new DenseEvaluator(quick(DenseEvalConfig.frozen()).withEpochs(2).withSavedPredictions(0));
    DenseResult a = probe.evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir);
    DenseResult b = probe.evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir);
    assertEquals(a.metrics(), b.metrics());
    assertEquals(a.standardErrors(), b.standardErrors());
    assertEquals(a.trainLoss(), b.trainLoss());
    DenseResult none = new DenseEvaluator(quick(DenseEvalConfig.frozen()).withEpochs(2).withSavedPredictions(0)
        .withBootstrapResamples(0)).evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, SPLITS, dir);
    assertEquals(a.metrics(), none.metrics());
    assertTrue(none.standardErrors().isEmpty());
    assertTrue(a.predictionImages().isEmpty());
  }

  @Test
  void dataFractionsUseNestedSeededSubsets(@TempDir Path dir) {
    List<Sample> tenth = DenseEvaluator.subset(TRAIN, 0.1, 5);
    List<Sample> half = DenseEvaluator.subset(TRAIN, 0.5, 5);
    assertEquals(5, tenth.size(), "ceil(0.1 * 48)");
    assertEquals(24, half.size());
    assertEquals(tenth, DenseEvaluator.subset(TRAIN, 0.1, 5));
    assertTrue(keys(half).containsAll(keys(tenth)));
    assertFalse(keys(tenth).equals(keys(DenseEvaluator.subset(TRAIN, 0.1, 6))), "another seed, another subset");
    assertEquals(TRAIN, DenseEvaluator.subset(TRAIN, 1.0, 5));

    DenseResult small = new DenseEvaluator(quick(DenseEvalConfig.frozen()).withFraction(0.1).withEpochs(1))
        .evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.depth(), SPLITS, dir);
    assertEquals(5, small.trainSamples());
    assertEquals(0.1, small.fraction());
    // a fraction trains as many steps as the whole split would: ceil(48 / 8) per epoch, not ceil(5 / 8)
    assertEquals(6, small.steps());
    assertEquals(6, new DenseEvaluator(quick(DenseEvalConfig.frozen()).withEpochs(1))
        .evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.depth(), SPLITS, dir).steps());

    DenseResult counted = new DenseEvaluator(quick(DenseEvalConfig.frozen()).withFraction(0.1).withSteps(3))
        .evaluate(trainedEncoder, new ProbeHeadFixture(), PluginConfig.empty(), DenseTask.depth(), SPLITS, dir);
    assertEquals(3, counted.steps(), "steps given: exactly that many, whatever the subset");
    assertEquals(3, counted.trainLoss().size(), "a 5-image subset is one batch of 8: three steps are three passes");
  }

  private static Set<String> keys(List<Sample> samples) {
    Set<String> keys = new HashSet<>();
    samples.forEach(s -> keys.add(s.key()));
    return keys;
  }

  @Test
  void errorsNameTheSampleAndTheOption(@TempDir Path dir) {
    Sample good = TEST.get(0);
    Sample noLabels = new Sample("scene-without-map", good.image(), Map.of(), List.of(), null, good.depthMetres());
    DenseSplits broken = new DenseSplits(TRAIN, List.of(good, noLabels), SyntheticDenseScenes.CLASS_NAMES);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DenseEvaluator(quick(DenseEvalConfig.frozen()))
            .evaluate(randomEncoder, new ProbeHeadFixture(), PluginConfig.empty(), SEGMENTATION, broken, dir));
    assertTrue(e.getMessage().contains("scene-without-map") && e.getMessage().contains("class map"), e.getMessage());
    IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
        () -> DenseEvalConfig.frozen().withFraction(1.5));
    assertTrue(option.getMessage().contains("'fraction'"), option.getMessage());
  }
}
