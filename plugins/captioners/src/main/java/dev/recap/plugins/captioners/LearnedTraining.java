package dev.recap.plugins.captioners;

import static dev.recap.plugins.captioners.ConfigLimits.atLeast;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a learned captioner's network on reference captions: teacher forcing, masked
 * cross-entropy, gradients clipped to a global norm, Adam. A step whose loss or gradient norm is
 * not finite is skipped (nothing applied); training fails after {@code maxConsecutiveSkips} of them
 * in a row, naming the first step of the streak and the config keys to change.
 */
final class LearnedTraining implements AutoCloseable {

  /** Gradients are scaled to at most this global L2 norm before each Adam step. */
  static final float MAX_GRADIENT_NORM = 1f;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LearnedTraining.class);

  /** The training keys of a learned captioner's config, checked; the batch never exceeds the references. */
  record Settings(int steps, int batchSize, float learningRate, int maxConsecutiveSkips) {
    static Settings from(PluginConfig config, int references) {
      int steps = atLeast(config, "steps", 400, 1);
      int batchSize = Math.min(atLeast(config, "batchSize", 32, 1), references);
      float learningRate = (float) config.getDouble("learningRate", 0.002);
      int maxSkips = atLeast(config, "maxConsecutiveSkips", 3, 1);
      return new Settings(steps, batchSize, learningRate, maxSkips);
    }
  }

  private final ImageCaptionModel network;
  private final LearnedArchitecture architecture;
  private final Settings settings;
  private final long seed;
  private final Trainer trainer;
  private float lastLoss = Float.NaN;
  private int skippedSteps;

  /**
   * Initializes {@code network} (inside {@code model}) on {@code device} from {@code seed}, then loads
   * config key {@code encoderParameters} into its encoder, if set, and freezes the encoder unless
   * config key {@code trainEncoder} is true (the default).
   */
  LearnedTraining(Model model, ImageCaptionModel network, LearnedArchitecture architecture, PluginConfig config, Settings settings,
      long seed, Device device) {
    this.network = network;
    this.architecture = architecture;
    this.settings = settings;
    this.seed = seed;
    Engine.getInstance().setRandomSeed((int) seed);
    // no optClipGrad: DJL 0.36's PyTorch Adam clips one-sidedly (grad.clamp_max_), so negative
    // gradients passed unclipped; StepGradients.clipToGlobalNorm clips symmetrically instead
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build())
        .optDevices(new Device[] {device});
    trainer = model.newTrainer(tc);
    int size = architecture.imageSize();
    trainer.initialize(new Shape(settings.batchSize(), 3, size, size), new Shape(settings.batchSize(), architecture.inputLength()));
    loadEncoderParameters(config, model.getNDManager());
    if (!config.getBoolean("trainEncoder", true)) {
      network.encoder().freezeParameters(true);
    }
  }

  private void loadEncoderParameters(PluginConfig config, NDManager manager) {
    if (!config.has("encoderParameters")) {
      return;
    }
    Path file = Path.of(config.getString("encoderParameters", null));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      network.encoder().loadParameters(manager, new DataInputStream(in));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalArgumentException("config key 'encoderParameters': cannot load encoder parameters from " + file + ": " + e.getMessage(), e);
    }
  }

  /** Runs every step, telling {@code progress} after each (NaN loss for a skipped step). */
  void run(List<CaptionRequest> references, WordVocabulary vocabulary, Captioner.TrainingProgress progress) {
    int steps = settings.steps();
    int batchSize = settings.batchSize();
    int size = architecture.imageSize();
    int inputLength = architecture.inputLength();
    ReferenceBatches batches = new ReferenceBatches(references, vocabulary, architecture, seed);
    int streak = 0;
    for (int step = 0; step < steps; step++) {
      ReferenceBatches.Batch batch = batches.next(batchSize);
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDArray x = m.create(batch.images(), new Shape(batchSize, 3, size, size));
        NDArray in = m.create(batch.input(), new Shape(batchSize, inputLength));
        NDArray tgt = m.create(batch.target(), new Shape(batchSize, inputLength));
        NDArray mask = tgt.neq(WordVocabulary.PAD).toType(DataType.FLOAT32, false);
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDArray logits = trainer.forward(new NDList(x, in)).head();
          // the target's log-probability picked by index: multiplying log-softmax by a one-hot
          // turns any -inf log-probability into NaN (-inf * 0) for every non-target word
          NDArray picked = logits.logSoftmax(-1).gather(tgt.expandDims(-1), -1).squeeze(-1);
          NDArray loss = picked.mul(mask).sum().neg().div(mask.sum());
          float value = loss.getFloat();
          if (!Float.isFinite(value)) {
            streak = skip("loss", value, step, streak);
            progress.step(step + 1, steps, Double.NaN);
            continue;
          }
          gc.backward(loss);
          lastLoss = value;
        }
        StepGradients grads = StepGradients.of(network, m);
        float norm = grads.clipToGlobalNorm(MAX_GRADIENT_NORM);
        if (!Float.isFinite(norm)) {
          String where = grads.nonFinite();
          grads.zero();
          streak = skip("gradient norm (non-finite in " + where + ")", norm, step, streak);
          progress.step(step + 1, steps, Double.NaN);
          continue;
        }
        streak = 0;
        trainer.step();
      }
      progress.step(step + 1, steps, lastLoss);
    }
  }

  /**
   * Records a skipped non-finite step (nothing is applied); fails once {@code maxConsecutiveSkips}
   * happened in a row, naming the first step of the streak. Returns the new streak length.
   */
  private int skip(String what, float value, int step, int streak) {
    int now = streak + 1;
    skippedSteps++;
    int maxSkips = settings.maxConsecutiveSkips();
    if (now >= maxSkips) {
      throw new IllegalStateException(divergence(what, value, step - now + 1)
          + " (" + now + " consecutive non-finite steps; config key 'maxConsecutiveSkips' is " + maxSkips + ")");
    }
    LOG.warn("learned captioner: skipped step {} of {}: the {} is {} (nothing applied; {} in a row)", step, settings.steps(), what, value, now);
    return now;
  }

  private String divergence(String what, float value, int step) {
    return "learned captioner: training diverged, the " + what + " is " + value + " at step " + step + " of " + settings.steps()
        + " (seed " + seed + ", learningRate " + settings.learningRate() + ", batchSize " + settings.batchSize() + ", width "
        + architecture.width() + ", layers " + architecture.layers()
        + "); the parameters before this step were finite. Lower config key 'learningRate' or check the reference images";
  }

  /** The loss of the last applied step (NaN before one). */
  float lastLoss() {
    return lastLoss;
  }

  /** Steps skipped because their loss or gradient was not finite. */
  int skippedSteps() {
    return skippedSteps;
  }

  @Override
  public void close() {
    trainer.close();
  }
}
