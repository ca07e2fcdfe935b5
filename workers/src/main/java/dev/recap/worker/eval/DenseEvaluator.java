package dev.recap.worker.eval;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageTower;
import dev.recap.worker.eval.DenseEvalConfig.Protocol;
import dev.recap.worker.train.Autograd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Measures what an image encoder's dense features are worth: trains a {@link DenseHead} on a
 * fraction of a dense training split and scores it on a held-out split.
 *
 * <ul>
 *   <li>{@link Protocol#FROZEN}: the encoder is frozen and run once per image in inference mode
 *       (its features are cached), then only the head trains: the linear-probe protocol.
 *   <li>{@link Protocol#FINETUNE}: the encoder trains with the head at its own (lower) learning
 *       rate, with optional layer-wise decay; its parameters are restored afterwards, so the same
 *       encoder can be evaluated again under another protocol or fraction.
 * </ul>
 *
 * <p>Both use AdamW with a cosine schedule, batches in a seeded order, and the head's own loss.
 * Scoring ({@link TestScoring}) accumulates a {@link ConfusionMatrix} (segmentation) or
 * {@link DepthMetrics} (depth) over the whole test split at each label's own resolution, and keeps
 * each image's share so that {@link TestSetBootstrap} can give every metric a standard error over
 * resampled test sets. With an input size ({@link DenseEvalConfig#inputSize()}) images of any
 * size are used: each training image as one crop of that size, each test image through sliding
 * windows ({@link SlidingWindows}). One call is one evaluation task (encoder x head x task x
 * protocol x fraction); it is deterministic for a given seed and thread count. Gradient recording
 * is per thread ({@link Autograd}), so several evaluators may run concurrently in one JVM.
 */
public final class DenseEvaluator {

  private final DenseEvalConfig config;
  private final SampleTensors tensors;
  private final Device device;

  /** An evaluator on the CPU. */
  public DenseEvaluator(DenseEvalConfig config) {
    this(config, Device.cpu());
  }

  /** An evaluator whose head, batches and features live on {@code device} (where the encoder's parameters are). */
  public DenseEvaluator(DenseEvalConfig config, Device device) {
    this.config = config;
    this.tensors = new SampleTensors(config.mean(), config.std());
    this.device = device;
  }

  public DenseEvalConfig config() {
    return config;
  }

  /**
   * The training samples used at {@code fraction}: a seeded shuffle of the split, cut at
   * {@code ceil(fraction * n)} (at least one). Prefixes of one shuffle, so a 10% subset is part of
   * the 100% one; the order of the returned list is the split's order.
   */
  public static List<Sample> subset(List<Sample> train, double fraction, long seed) {
    List<Sample> out = new ArrayList<>();
    for (int i : subsetIndices(train.size(), fraction, seed)) {
      out.add(train.get(i));
    }
    return out;
  }

  /** The positions {@link #subset} keeps of a split of {@code n}, ascending. */
  static List<Integer> subsetIndices(int n, double fraction, long seed) {
    int keep = Math.max(1, (int) Math.ceil(fraction * n - 1e-9));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    List<Integer> chosen = new ArrayList<>(order.subList(0, keep));
    Collections.sort(chosen);
    return chosen;
  }

  /**
   * The training samples of this evaluation: the fraction's subset, each cut to one crop of the
   * input size when there is one. The crop's place is drawn from the evaluation seed and the
   * sample's key, so a sample has the same crop in every epoch, under both protocols and in every
   * fraction that contains it (the frozen protocol computes each crop's features once).
   */
  private List<Sample> trainingSamples(List<Sample> split, DenseTask task, SlidingWindows windows) {
    List<Sample> out = new ArrayList<>();
    for (int i : subsetIndices(split.size(), config.fraction(), config.seed())) {
      Sample s = split.get(i);
      if (windows != null) {
        SampleTensors.checkTarget(s, task, "train");
        s = windows.trainingCrop(s, new Random(config.seed() * 0x9E3779B97F4A7C15L ^ s.key().hashCode()));
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Runs one evaluation.
   *
   * @param encoder an initialized image tower (random or pretrained); left unchanged
   * @param head the head plugin
   * @param headConfig the head's configuration (resolved here through {@link DenseHead#resolve})
   * @param task segmentation with K classes, or depth
   * @param data training and test splits
   * @param predictionDir where sample prediction PNGs go (created if needed)
   */
  public DenseResult evaluate(ImageTower encoder, DenseHead head, PluginConfig headConfig, DenseTask task,
      DenseSplits data, Path predictionDir) {
    long started = System.nanoTime();
    if (!head.supports(task.kind())) {
      throw new IllegalArgumentException("head '" + head.id() + "' does not support " + task.kind());
    }
    if (task.kind() == DenseTask.Kind.SEGMENTATION && !data.classNames().isEmpty()
        && data.classNames().size() != task.numClasses()) {
      throw new IllegalArgumentException("the dense set names " + data.classNames().size() + " classes "
          + data.classNames() + " but the task has numClasses=" + task.numClasses());
    }
    SlidingWindows windows = null;
    if (config.inputSize() > 0) {
      if (config.inputSize() % encoder.inputMultiple() != 0) {
        throw new IllegalArgumentException("dense eval option 'inputSize' is " + config.inputSize()
            + " but the encoder needs sides that are multiples of " + encoder.inputMultiple());
      }
      windows = new SlidingWindows(config.inputSize());
    }
    List<Sample> train = trainingSamples(data.train(), task, windows);
    int[] size = SampleTensors.validate(train, task, encoder.inputMultiple(), "train");
    if (windows == null) {
      int[] testSize = SampleTensors.validate(data.test(), task, encoder.inputMultiple(), "test");
      if (!Arrays.equals(size, testSize)) {
        throw new IllegalArgumentException("train images are " + size[0] + "x" + size[1] + " but test images are "
            + testSize[0] + "x" + testSize[1] + ": use one size for both splits, or evaluate with an input size");
      }
    }
    boolean frozen = config.protocol() == Protocol.FROZEN;
    // every fraction trains as many steps as the whole split would (fixed-iteration schedules, as
    // mmsegmentation trains): a 10% subset is seen ten times as often, not ten times as briefly
    int batchesPerEpoch = (data.train().size() + config.batchSize() - 1) / config.batchSize();
    int totalSteps = config.steps() > 0 ? config.steps() : batchesPerEpoch * config.epochs();

    try (NDManager root = NDManager.newBaseManager(device);
        EncoderState saved = new EncoderState(encoder.block(), !frozen, root)) {
      try {
        Engine.getInstance().setRandomSeed((int) config.seed());
        DenseHead.Model model = head.build(task, encoder.featureLevels(), head.resolve(headConfig));
        model.block().initialize(root, DataType.FLOAT32, levelShapes(encoder.featureLevels(), config.batchSize(), size));
        if (frozen) {
          encoder.block().freezeParameters(true);
        } else {
          // running statistics are parameters too, but never trainable: libtorch refuses them
          encoder.block().freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
              && p.getType() != Parameter.Type.RUNNING_VAR);
        }
        LayerwiseOptimizer optimizer = frozen
            ? LayerwiseOptimizer.forHead(model.block(), config.headLearningRate(), config.weightDecay(), totalSteps)
            : LayerwiseOptimizer.forFinetuning(model.block(), encoder.block(), config.headLearningRate(),
                config.encoderLearningRate(), config.layerDecay(), config.weightDecay(), totalSteps);
        Map<String, Double> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        FeatureSource features = frozen
            ? new CachedFeatures(new FeatureCache(encoder, tensors, train, config.batchSize(), root))
            : new LiveFeatures(encoder);
        long t1 = System.nanoTime();
        List<Double> epochLosses = train(model, features, train, task, optimizer, totalSteps, root);
        long t2 = System.nanoTime();
        TestScoring.Scores scores = new TestScoring(config, tensors, windows, data.depthEvaluation())
            .score(encoder, model, data.test(), task, root);
        long t3 = System.nanoTime();
        timings.put("featureSeconds", (t1 - t0) / 1e9);
        timings.put("trainSeconds", (t2 - t1) / 1e9);
        timings.put("scoreSeconds", (t3 - t2) / 1e9);

        Map<String, Double> metrics = new LinkedHashMap<>(scores.metrics);
        metrics.put("testLoss", scores.loss);
        metrics.put("finalTrainLoss", epochLosses.get(epochLosses.size() - 1));
        List<String> pngs = savePredictions(scores, task, head, predictionDir);
        return new DenseResult(head.id(), head.version(), task.kind().name(), config.protocol().name(),
            config.fraction(), config.seed(), train.size(), data.test().size(), totalSteps, metrics,
            scores.standardErrors, config.bootstrapResamples(),
            task.kind() == DenseTask.Kind.SEGMENTATION ? data.classNames() : List.of(), scores.perClassIoU,
            epochLosses, pngs, timings, config.inputSize(), scores.windows, scores.scoredPixels,
            (System.nanoTime() - started) / 1e9);
      } finally {
        saved.restore();
      }
    }
  }

  static Shape[] levelShapes(List<FeatureLevel> levels, int batch, int[] size) {
    Shape[] shapes = new Shape[levels.size()];
    for (int i = 0; i < shapes.length; i++) {
      FeatureLevel l = levels.get(i);
      shapes[i] = new Shape(batch, l.channels(), size[1] / l.stride(), size[0] / l.stride());
    }
    return shapes;
  }

  /**
   * Trains {@code totalSteps} optimizer steps in reshuffled passes over the training subset (the
   * last pass cut short when the steps end inside it); one mean loss per pass.
   */
  private List<Double> train(DenseHead.Model model, FeatureSource features, List<Sample> train, DenseTask task,
      LayerwiseOptimizer optimizer, int totalSteps, NDManager root) {
    List<Double> epochLosses = new ArrayList<>();
    Random order = new Random(config.seed() ^ 0x5DEECE66DL);
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      indices.add(i);
    }
    int steps = 0;
    while (steps < totalSteps) {
      Collections.shuffle(indices, order);
      double lossSum = 0;
      int seen = 0;
      for (int start = 0; start < indices.size() && steps < totalSteps; start += config.batchSize(), steps++) {
        List<Integer> batch = indices.subList(start, Math.min(indices.size(), start + config.batchSize()));
        List<Sample> samples = batch.stream().map(train::get).toList();
        try (NDManager step = root.newSubManager()) {
          NDArray target = SampleTensors.targets(step, samples, task);
          // thread-local grad mode (not DJL's one-per-JVM GradientCollector): embedded workers
          // run several evaluations in one JVM at once
          NDArray loss = Autograd.withGradMode(true, () -> {
            NDList levels = features.train(step, batch, samples, tensors);
            NDList prediction = model.block().forward(new ParameterStore(step, false), levels, true);
            NDArray l = model.loss().evaluate(new NDList(target), prediction);
            Autograd.backward(l);
            return l;
          });
          lossSum += loss.getFloat() * samples.size();
          seen += samples.size();
          optimizer.step(step);
        }
      }
      epochLosses.add(lossSum / seen);
    }
    return epochLosses;
  }

  private List<String> savePredictions(TestScoring.Scores scores, DenseTask task, DenseHead head, Path dir) {
    List<String> files = new ArrayList<>();
    int count = scores.savedSamples.size();
    String prefix = task.kind().name().toLowerCase() + "-" + head.id() + "-" + config.protocol().name().toLowerCase()
        + "-f" + config.fraction() + "-";
    try {
      for (int i = 0; i < count; i++) {
        Sample s = scores.savedSamples.get(i);
        Path file = dir.resolve(prefix + s.key() + ".png");
        if (task.kind() == DenseTask.Kind.SEGMENTATION) {
          PredictionImages.writeSegmentation(file, s.image(), s.classMap(), scores.savedClasses.get(i));
        } else {
          PredictionImages.writeDepth(file, s.image(), s.depthMetres(), scores.savedDepths.get(i));
        }
        files.add(file.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write sample predictions into " + dir + ": " + e.getMessage(), e);
    }
    return files;
  }

  /**
   * Where the head's training input comes from: the cache (frozen) or a live encoder pass
   * (finetune). Test features are always computed live, in inference mode ({@link TestScoring}):
   * each is needed once.
   */
  private interface FeatureSource {
    NDList train(NDManager step, List<Integer> indices, List<Sample> samples, SampleTensors tensors);
  }

  /** The encoder run inside the step: training mode for the training split, with gradients. */
  private record LiveFeatures(ImageTower encoder) implements FeatureSource {
    @Override
    public NDList train(NDManager step, List<Integer> indices, List<Sample> samples, SampleTensors tensors) {
      return dense(encoder.block(), step, tensors.images(step, samples), true);
    }
  }

  /** Frozen protocol: training batches come from a cache of the training split, computed once. */
  private record CachedFeatures(FeatureCache train) implements FeatureSource {
    @Override
    public NDList train(NDManager step, List<Integer> indices, List<Sample> samples, SampleTensors tensors) {
      return train.batch(step, indices);
    }
  }

  /** The encoder's dense outputs, the pooled embedding dropped, checked against its levels. */
  static NDList dense(Block encoder, NDManager step, NDArray images, boolean training) {
    NDList out = encoder.forward(new ParameterStore(step, false), new NDList(images), training);
    if (out.size() < 2) {
      throw new IllegalStateException("the encoder returned " + out.size()
          + " arrays; an ImageTower returns NDList(pooled, dense_0, ...)");
    }
    return out.subNDList(1);
  }

}
