package dev.recap.api.conformance;

import static dev.recap.api.conformance.Expect.assertArrayEquals;
import static dev.recap.api.conformance.Expect.assertEquals;
import static dev.recap.api.conformance.Expect.assertFalse;
import static dev.recap.api.conformance.Expect.assertNotEquals;
import static dev.recap.api.conformance.Expect.assertThrows;
import static dev.recap.api.conformance.Expect.assertTrue;
import static dev.recap.api.conformance.Expect.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The {@link DenseHead} contract for one head and a small configuration. Every check runs on the
 * real engine with random feature maps standing in for an encoder's output (a head only sees
 * feature maps), for each task the head supports and for each set of feature levels.
 *
 * <p>What it holds a head to: the output contract of {@link DenseHead.Model#block()} (shape,
 * positive depth), a loss that ignores class 255 and invalid depth, gradients that reach every
 * trainable parameter, the same output under the same seed, identical output after a parameter
 * save/load round trip, and a loss that goes down when the head is trained on a fixed batch.
 */
public final class DenseHeadKit implements ConformanceKit {

  /** Image side the random feature maps stand for; a multiple of every stride used. */
  public static final int IMAGE_SIZE = 32;

  private static final int BATCH = 2;
  private static final int CLASSES = 4;

  private final DenseHead head;
  private final PluginConfig config;
  private final List<List<FeatureLevel>> levelSets;
  private NDManager manager;

  /**
   * @param head the head under test
   * @param config a small configuration for the head (resolved through {@link DenseHead#resolve})
   * @param levelSets the encoder level layouts to build the head on, each ordered fine to coarse
   */
  public DenseHeadKit(DenseHead head, PluginConfig config, List<List<FeatureLevel>> levelSets) {
    this.head = java.util.Objects.requireNonNull(head, "head");
    this.config = java.util.Objects.requireNonNull(config, "config");
    if (levelSets.isEmpty()) {
      throw new IllegalArgumentException("the dense head kit needs at least one set of feature levels");
    }
    this.levelSets = List.copyOf(levelSets);
  }

  /** With {@link #defaultLevelSets()}. */
  public DenseHeadKit(DenseHead head, PluginConfig config) {
    this(head, config, defaultLevelSets());
  }

  /**
   * A single ViT-like level at stride 8 and a three-level pyramid at strides 4, 8, 16 (fine to
   * coarse, as {@link dev.recap.api.encoder.ImageTower} orders them).
   */
  public static List<List<FeatureLevel>> defaultLevelSets() {
    return List.of(
        List.of(new FeatureLevel(16, 8)),
        List.of(new FeatureLevel(8, 4), new FeatureLevel(12, 8), new FeatureLevel(16, 16)));
  }

  @Override
  public String extensionPoint() {
    return "DenseHead";
  }

  @Override
  public List<Check> checks() {
    return List.of(
        Check.of("declaresAnIdAndAtLeastOneTask", this::declaresAnIdAndAtLeastOneTask),
        Check.of("refusesATaskItDoesNotSupport", this::refusesATaskItDoesNotSupport),
        Check.of("predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth",
            this::predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth),
        Check.of("lossIgnoresPixelsWithoutLabels", this::lossIgnoresPixelsWithoutLabels),
        Check.of("gradientsReachEveryTrainableParameter", this::gradientsReachEveryTrainableParameter),
        Check.of("sameSeedGivesSameOutput", this::sameSeedGivesSameOutput),
        Check.of("savedParametersReloadToIdenticalOutput", this::savedParametersReloadToIdenticalOutput),
        Check.of("trainingOnAFixedBatchLowersTheLoss", this::trainingOnAFixedBatchLowersTheLoss));
  }

  private DenseHead head() {
    return head;
  }

  private PluginConfig config() {
    return config;
  }

  private List<List<FeatureLevel>> levelSets() {
    return levelSets;
  }

  /** Every check builds its heads on one manager, closed when the check ends. */
  private synchronized void inManager(Action check) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      manager = m;
      check.run();
    } finally {
      manager = null;
    }
  }

  private List<DenseTask> supportedTasks() {
    List<DenseTask> tasks = new ArrayList<>();
    if (head().supports(DenseTask.Kind.SEGMENTATION)) {
      tasks.add(DenseTask.segmentation(CLASSES));
    }
    if (head().supports(DenseTask.Kind.DEPTH)) {
      tasks.add(DenseTask.depth());
    }
    return tasks;
  }

  private DenseHead.Model build(DenseTask task, List<FeatureLevel> levels, long seed) {
    // the engine's seed is global: hold it while this head initializes (the workers' convention)
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      DenseHead.Model model = head().build(task, levels, head().resolve(config()));
      if (model == null || model.block() == null || model.loss() == null) {
        fail(head().id() + ".build returned no block or no loss for " + task);
      }
      model.block().initialize(manager, DataType.FLOAT32, inputShapes(levels));
      return model;
    }
  }

  private static Shape[] inputShapes(List<FeatureLevel> levels) {
    Shape[] shapes = new Shape[levels.size()];
    for (int i = 0; i < shapes.length; i++) {
      FeatureLevel l = levels.get(i);
      shapes[i] = new Shape(BATCH, l.channels(), IMAGE_SIZE / l.stride(), IMAGE_SIZE / l.stride());
    }
    return shapes;
  }

  private static NDList features(NDManager m, List<FeatureLevel> levels, long seed) {
    Random random = new Random(seed);
    NDList list = new NDList();
    for (Shape s : inputShapes(levels)) {
      float[] v = new float[(int) s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
      }
      list.add(m.create(v, s));
    }
    return list;
  }

  /** Labels with a band of 255 (segmentation) or 0 (depth) in the top rows. */
  private static NDArray target(NDManager m, DenseTask task, long seed) {
    Random random = new Random(seed);
    int n = BATCH * IMAGE_SIZE * IMAGE_SIZE;
    if (task.kind() == DenseTask.Kind.SEGMENTATION) {
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        int y = (i / IMAGE_SIZE) % IMAGE_SIZE;
        ids[i] = y < 4 ? DenseTask.IGNORE_CLASS : (y * CLASSES / IMAGE_SIZE + random.nextInt(2)) % CLASSES;
      }
      return m.create(ids, new Shape(BATCH, IMAGE_SIZE, IMAGE_SIZE));
    }
    float[] metres = new float[n];
    for (int i = 0; i < n; i++) {
      int y = (i / IMAGE_SIZE) % IMAGE_SIZE;
      metres[i] = y < 4 ? DenseTask.INVALID_DEPTH : 1f + 4f * y / IMAGE_SIZE + 0.5f * random.nextFloat();
    }
    return m.create(metres, new Shape(BATCH, IMAGE_SIZE, IMAGE_SIZE));
  }

  private static NDArray predict(Block block, NDList features, boolean training) {
    NDList out = block.forward(new ParameterStore(features.head().getManager(), false), features, training);
    assertEquals(1, out.size(), "a dense head outputs NDList(prediction), got " + out.size() + " arrays");
    return out.head();
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void declaresAnIdAndAtLeastOneTask() throws Exception {
    inManager(this::declaresAnIdAndAtLeastOneTaskOnManager);
  }

  private void declaresAnIdAndAtLeastOneTaskOnManager() {
    assertFalse(head().id() == null || head().id().isBlank(), "id() must be a non-empty string");
    assertEquals(head().id().toLowerCase(), head().id(), "ids are lower case");
    assertFalse(supportedTasks().isEmpty(), head().id() + " supports neither segmentation nor depth");
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void refusesATaskItDoesNotSupport() throws Exception {
    inManager(this::refusesATaskItDoesNotSupportOnManager);
  }

  private void refusesATaskItDoesNotSupportOnManager() {
    for (DenseTask.Kind kind : DenseTask.Kind.values()) {
      if (!head().supports(kind)) {
        DenseTask task = kind == DenseTask.Kind.DEPTH ? DenseTask.depth() : DenseTask.segmentation(CLASSES);
        assertThrows(IllegalArgumentException.class,
            () -> head().build(task, levelSets().get(0), head().resolve(config())),
            head().id() + " must refuse " + kind + " with IllegalArgumentException");
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepth() throws Exception {
    inManager(this::predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepthOnManager);
  }

  private void predictsAtImageResolutionWithOneChannelPerClassAndPositiveDepthOnManager() {
    for (List<FeatureLevel> levels : levelSets()) {
      for (DenseTask task : supportedTasks()) {
        DenseHead.Model model = build(task, levels, 1);
        try (NDManager step = manager.newSubManager()) {
          for (boolean training : new boolean[] {false, true}) {
            NDArray p = predict(model.block(), features(step, levels, 2), training);
            Shape expected = new Shape(BATCH, task.numClasses(), IMAGE_SIZE, IMAGE_SIZE);
            assertEquals(expected, p.getShape(), task + " on " + levels + " (training=" + training + ")");
            assertEquals(DataType.FLOAT32, p.getDataType());
            float[] v = p.toFloatArray();
            for (float x : v) {
              assertTrue(Float.isFinite(x), "non-finite prediction for " + task + " on " + levels);
              if (task.kind() == DenseTask.Kind.DEPTH) {
                assertTrue(x > 0f, "depth must be positive metres, got " + x);
              }
            }
          }
          Shape[] declared = model.block().getOutputShapes(inputShapes(levels));
          assertEquals(new Shape(BATCH, task.numClasses(), IMAGE_SIZE, IMAGE_SIZE), declared[0],
              "getOutputShapes must agree with forward");
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void lossIgnoresPixelsWithoutLabels() throws Exception {
    inManager(this::lossIgnoresPixelsWithoutLabelsOnManager);
  }

  private void lossIgnoresPixelsWithoutLabelsOnManager() {
    List<FeatureLevel> levels = levelSets().get(0);
    for (DenseTask task : supportedTasks()) {
      DenseHead.Model model = build(task, levels, 3);
      try (NDManager step = manager.newSubManager()) {
        NDArray pred = predict(model.block(), features(step, levels, 4), false);
        NDList labels = new NDList(target(step, task, 5));
        float loss = model.loss().evaluate(labels, new NDList(pred)).getFloat();
        assertTrue(Float.isFinite(loss), "loss is not finite: " + loss);
        // the top 4 rows carry no label: changing the prediction there must not move the loss
        NDArray topRows = step.zeros(pred.getShape());
        topRows.set(new NDIndex(":, :, 0:4, :"), 1f);
        NDArray changedUnlabelled = task.kind() == DenseTask.Kind.DEPTH
            ? pred.mul(topRows.mul(2f).add(1f))
            : pred.add(topRows.mul(3f).mul(step.randomNormal(pred.getShape())));
        float same = model.loss().evaluate(labels, new NDList(changedUnlabelled)).getFloat();
        assertEquals(loss, same, 1e-5f * Math.max(1f, Math.abs(loss)),
            task + ": loss changed when only unlabelled pixels' predictions changed");
        NDArray labelledRows = topRows.neg().add(1f);
        NDArray changedLabelled = task.kind() == DenseTask.Kind.DEPTH
            ? pred.mul(labelledRows.add(1f))
            : pred.add(labelledRows.mul(step.randomNormal(pred.getShape())));
        float different = model.loss().evaluate(labels, new NDList(changedLabelled)).getFloat();
        assertNotEquals(loss, different, task + ": loss did not react to labelled pixels");
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void gradientsReachEveryTrainableParameter() throws Exception {
    inManager(this::gradientsReachEveryTrainableParameterOnManager);
  }

  private void gradientsReachEveryTrainableParameterOnManager() {
    for (List<FeatureLevel> levels : levelSets()) {
      for (DenseTask task : supportedTasks()) {
        DenseHead.Model model = build(task, levels, 6);
        try (NDManager step = manager.newSubManager()) {
          NDList in = features(step, levels, 7);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray pred = predict(model.block(), in, true);
            gc.backward(model.loss().evaluate(new NDList(target(step, task, 8)), new NDList(pred)));
          }
          int trainable = 0;
          for (Pair<String, Parameter> p : model.block().getParameters()) {
            if (!p.getValue().requiresGradient()) {
              continue;
            }
            trainable++;
            float[] g = p.getValue().getArray().getGradient().toFloatArray();
            double sumSq = 0;
            for (float x : g) {
              assertTrue(Float.isFinite(x), "non-finite gradient in " + p.getKey());
              sumSq += (double) x * x;
            }
            assertTrue(sumSq > 0, "no gradient reaches parameter " + p.getKey() + " (" + task + " on " + levels + ")");
          }
          assertTrue(trainable > 0, head().id() + " has no trainable parameter");
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void sameSeedGivesSameOutput() throws Exception {
    inManager(this::sameSeedGivesSameOutputOnManager);
  }

  private void sameSeedGivesSameOutputOnManager() {
    for (List<FeatureLevel> levels : levelSets()) {
      for (DenseTask task : supportedTasks()) {
        float[] first;
        float[] second;
        try (NDManager step = manager.newSubManager()) {
          first = predict(build(task, levels, 11).block(), features(step, levels, 12), false).toFloatArray();
        }
        try (NDManager step = manager.newSubManager()) {
          second = predict(build(task, levels, 11).block(), features(step, levels, 12), false).toFloatArray();
        }
        assertArrayEquals(first, second, task + " on " + levels + ": same seed, different output");
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void savedParametersReloadToIdenticalOutput() throws Exception {
    inManager(this::savedParametersReloadToIdenticalOutputOnManager);
  }

  private void savedParametersReloadToIdenticalOutputOnManager() throws Exception {
    for (List<FeatureLevel> levels : levelSets()) {
      for (DenseTask task : supportedTasks()) {
        DenseHead.Model original = build(task, levels, 21);
        try (NDManager step = manager.newSubManager()) {
          NDList in = features(step, levels, 22);
          // one training forward so that running statistics (batch norm) differ from their init
          predict(original.block(), in, true);
          float[] expected = predict(original.block(), in, false).toFloatArray();
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          original.block().saveParameters(new DataOutputStream(bytes));

          DenseHead.Model copy = build(task, levels, 23);
          float[] beforeLoad = predict(copy.block(), in, false).toFloatArray();
          assertFalse(Arrays.equals(expected, beforeLoad), "seeds 21 and 23 gave the same head");
          copy.block().loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
          assertArrayEquals(expected, predict(copy.block(), in, false).toFloatArray(),
              task + " on " + levels + ": output changed after save/load");
        }
      }
    }
  }

  /** One check of the contract; throws {@link ConformanceFailure} if it does not hold. */
  public void trainingOnAFixedBatchLowersTheLoss() throws Exception {
    inManager(this::trainingOnAFixedBatchLowersTheLossOnManager);
  }

  private void trainingOnAFixedBatchLowersTheLossOnManager() {
    List<FeatureLevel> levels = levelSets().get(levelSets().size() - 1);
    for (DenseTask task : supportedTasks()) {
      DenseHead.Model model = build(task, levels, 31);
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
      float first = Float.NaN;
      float last = Float.NaN;
      for (int i = 0; i < 30; i++) {
        try (NDManager step = manager.newSubManager()) {
          NDList in = features(step, levels, 32);
          NDArray loss;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            loss = model.loss().evaluate(new NDList(target(step, task, 33)), new NDList(predict(model.block(), in, true)));
            gc.backward(loss);
          }
          if (i == 0) {
            first = loss.getFloat();
          }
          last = loss.getFloat();
          for (Pair<String, Parameter> p : model.block().getParameters()) {
            NDArray w = p.getValue().getArray();
            if (p.getValue().requiresGradient()) {
              NDArray g = w.getGradient();
              adam.update(p.getValue().getId(), w, g);
              g.subi(g);
            }
          }
        }
      }
      assertTrue(last < 0.9f * first, task + ": 30 Adam steps on one batch took the loss from " + first + " to " + last);
    }
  }
}
