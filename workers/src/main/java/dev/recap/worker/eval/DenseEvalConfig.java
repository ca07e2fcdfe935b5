package dev.recap.worker.eval;

import dev.recap.api.PluginConfig;
import java.util.Arrays;
import java.util.Locale;

/**
 * How one dense evaluation runs. Build with {@link #frozen()} or {@link #finetune()} and the
 * {@code with*} options; every option is checked when the record is built, and the error names it.
 *
 * @param protocol frozen encoder (linear probe) or finetuning the encoder with the head
 * @param fraction share of the dense training split used, in (0, 1]; the subset is a
 *     deterministic function of {@code seed}, and a smaller fraction's subset is contained in a
 *     larger one's
 * @param seed for the subset, the head's initialization and the batch order
 * @param epochs the schedule's length in passes over the whole training split (when
 *     {@code steps} is 0): every fraction trains {@code epochs x ceil(split / batchSize)} steps,
 *     so a 10% subset is seen ten times as often (fixed-iteration schedules, as mmsegmentation
 *     trains; a data-efficiency comparison is then between data, not between step counts)
 * @param steps optimizer steps, whatever the split's size; 0 = from {@code epochs}
 * @param batchSize images per step
 * @param headLearningRate AdamW learning rate of the head (cosine-decayed to 0 over the run)
 * @param encoderLearningRate AdamW learning rate of the encoder's last top-level block when
 *     finetuning (ignored when frozen)
 * @param layerDecay layer-wise learning-rate decay when finetuning: the encoder's top-level child
 *     block {@code i} of {@code n} gets {@code encoderLearningRate * layerDecay^(n-1-i)}; 1 = none
 * @param weightDecay AdamW decoupled weight decay
 * @param savedPredictions how many test samples (the first ones, in test order) get a PNG
 * @param bootstrapResamples resampled test sets for the metrics' standard errors
 *     ({@link TestSetBootstrap}); 0 = none
 * @param mean per-channel mean subtracted from RGB in [0, 1] (CLIP's by default)
 * @param std per-channel standard deviation divided by (CLIP's by default)
 * @param inputSize 0: every image is fed whole (all of one size the encoder accepts); above 0:
 *     images of any size, scaled to this shorter side, trained on one crop of this size each and
 *     predicted with sliding windows of this size, scored at the labels' own resolution
 *     ({@link SlidingWindows})
 */
public record DenseEvalConfig(
    Protocol protocol,
    double fraction,
    long seed,
    int epochs,
    int steps,
    int batchSize,
    double headLearningRate,
    double encoderLearningRate,
    double layerDecay,
    double weightDecay,
    int savedPredictions,
    int bootstrapResamples,
    float[] mean,
    float[] std,
    int inputSize) {

  /** Whether the encoder is trained together with the head. */
  public enum Protocol {
    /** Encoder frozen, features computed once; only the head trains (linear probe). */
    FROZEN,
    /** Encoder unfrozen at a lower learning rate; restored afterwards. */
    FINETUNE
  }

  /** CLIP's image normalization (OpenAI), the one the data pipeline applies for pretraining. */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public DenseEvalConfig {
    if (protocol == null) {
      throw new IllegalArgumentException("dense eval option 'protocol' must be FROZEN or FINETUNE");
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("dense eval option 'fraction' must be in (0, 1], got " + fraction);
    }
    positive("epochs", epochs);
    if (steps < 0) {
      throw new IllegalArgumentException("dense eval option 'steps' must be 0 (use epochs) or positive, got " + steps);
    }
    positive("batchSize", batchSize);
    if (!(headLearningRate > 0)) {
      throw new IllegalArgumentException("dense eval option 'headLearningRate' must be positive, got " + headLearningRate);
    }
    if (protocol == Protocol.FINETUNE && !(encoderLearningRate > 0)) {
      throw new IllegalArgumentException(
          "dense eval option 'encoderLearningRate' must be positive when finetuning, got " + encoderLearningRate);
    }
    if (!(layerDecay > 0 && layerDecay <= 1)) {
      throw new IllegalArgumentException("dense eval option 'layerDecay' must be in (0, 1], got " + layerDecay);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("dense eval option 'weightDecay' must be >= 0, got " + weightDecay);
    }
    if (savedPredictions < 0) {
      throw new IllegalArgumentException("dense eval option 'savedPredictions' must be >= 0, got " + savedPredictions);
    }
    if (bootstrapResamples != 0 && bootstrapResamples < 2) {
      throw new IllegalArgumentException(
          "dense eval option 'bootstrapResamples' must be 0 (none) or at least 2, got " + bootstrapResamples);
    }
    if (mean == null || mean.length != 3 || std == null || std.length != 3) {
      throw new IllegalArgumentException("dense eval options 'mean' and 'std' need 3 values (R, G, B)");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("dense eval option 'std' must be positive, got " + Arrays.toString(std));
      }
    }
    if (inputSize < 0) {
      throw new IllegalArgumentException("dense eval option 'inputSize' must be 0 (whole images) or positive, got " + inputSize);
    }
    mean = mean.clone();
    std = std.clone();
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("dense eval option '" + name + "' must be positive, got " + value);
    }
  }

  /**
   * Linear-probe defaults: full data, 40 epochs, batch 16, head LR 1e-2, 200 bootstrap resamples.
   * A frozen probe is cheap (the features are cached), so it trains until it converges: on the
   * synthetic scenes 10 epochs at 1e-3 left the depth probe's RMSE 40-70% above the converged one.
   */
  public static DenseEvalConfig frozen() {
    return new DenseEvalConfig(Protocol.FROZEN, 1.0, 0, 40, 0, 16, 1e-2, 0, 1.0, 1e-4, 4, TestSetBootstrap.DEFAULT_RESAMPLES, CLIP_MEAN, CLIP_STD, 0);
  }

  /**
   * Finetuning defaults: full data, 3 epochs' worth of steps, batch 16, head LR 1e-2, encoder LR
   * 1e-4, no layer decay, 200 bootstrap resamples. The head's rate is the probe's: at 1e-3 the
   * head lagged the encoder (depth RMSE 8.9-13 m against 6.4-6.9 m after 80 steps on the scenes).
   */
  public static DenseEvalConfig finetune() {
    return new DenseEvalConfig(Protocol.FINETUNE, 1.0, 0, 3, 0, 16, 1e-2, 1e-4, 1.0, 1e-4, 4, TestSetBootstrap.DEFAULT_RESAMPLES, CLIP_MEAN, CLIP_STD, 0);
  }

  /**
   * Reads a configuration from a job spec's map (keys as the record's components, protocol as
   * {@code frozen} or {@code finetune}); absent keys take the protocol's defaults. Errors name
   * the key.
   */
  public static DenseEvalConfig from(PluginConfig spec) {
    String protocol = spec.getString("protocol", "frozen");
    DenseEvalConfig base = switch (protocol.toLowerCase(Locale.ROOT)) {
      case "frozen", "linear", "probe" -> frozen();
      case "finetune" -> finetune();
      default -> throw new IllegalArgumentException(
          "dense eval option 'protocol' must be 'frozen' or 'finetune', got '" + protocol + "'");
    };
    return new DenseEvalConfig(base.protocol,
        spec.getDouble("fraction", base.fraction),
        spec.getLong("seed", base.seed),
        spec.getInt("epochs", base.epochs),
        spec.getInt("steps", base.steps),
        spec.getInt("batchSize", base.batchSize),
        spec.getDouble("headLearningRate", base.headLearningRate),
        spec.getDouble("encoderLearningRate", base.encoderLearningRate),
        spec.getDouble("layerDecay", base.layerDecay),
        spec.getDouble("weightDecay", base.weightDecay),
        spec.getInt("savedPredictions", base.savedPredictions),
        spec.getInt("bootstrapResamples", base.bootstrapResamples),
        base.mean, base.std,
        spec.getInt("inputSize", base.inputSize));
  }

  public DenseEvalConfig withFraction(double v) {
    return new DenseEvalConfig(protocol, v, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withSeed(long v) {
    return new DenseEvalConfig(protocol, fraction, v, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withEpochs(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, v, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  /** Trains this many optimizer steps whatever the split's size; 0 = from {@link #epochs()}. */
  public DenseEvalConfig withSteps(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, v, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withBatchSize(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, v, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withHeadLearningRate(double v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, v, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withEncoderLearningRate(double v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, v, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withLayerDecay(double v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, v, weightDecay, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withWeightDecay(double v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, v, savedPredictions, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withSavedPredictions(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, v, bootstrapResamples, mean, std, inputSize);
  }

  public DenseEvalConfig withBootstrapResamples(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, v, mean, std, inputSize);
  }

  public DenseEvalConfig withNormalization(float[] newMean, float[] newStd) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, newMean, newStd, inputSize);
  }

  public DenseEvalConfig withInputSize(int v) {
    return new DenseEvalConfig(protocol, fraction, seed, epochs, steps, batchSize, headLearningRate, encoderLearningRate, layerDecay, weightDecay, savedPredictions, bootstrapResamples, mean, std, v);
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }
}
