package dev.recap.worker.train;

import dev.recap.worker.data.AugmentPolicy;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one pretraining run is, independent of how many workers run it: the objective, the image
 * and text towers (plugin id and configuration), the input size and the optimization budget.
 * Serialized as JSON into task payloads; {@link ClipRunFactory} turns it into models, loaders and
 * trainers (single-worker {@code pretrain} and data-parallel gang training share that code).
 *
 * @param objective {@code clip} (contrastive on image-text pairs), {@code mae} (masked image
 *     modeling) or {@code none} (random initialization, no training)
 * @param imageEncoder ImageEncoder extension id, e.g. {@code vit}
 * @param imageConfig its configuration (e.g. {@code {preset: vit-tiny}})
 * @param textEncoder TextEncoder extension id (clip only)
 * @param textConfig its configuration
 * @param embedDim width of the shared CLIP embedding space
 * @param imageSize square input edge in pixels
 * @param batchSize global batch size
 * @param epochs passes over the training pairs
 * @param maxSteps stop after this many optimizer steps (0 = no limit besides epochs)
 * @param learningRate peak AdamW learning rate (cosine-decayed after warmup)
 * @param warmupSteps linear warmup
 * @param curatedProbability probability of training on the curated caption instead of the original
 * @param maskRatio share of patches masked (mae)
 * @param decoderWidth hidden width of the light MAE decoder
 * @param loaderThreads decoding threads of the data loader
 * @param augment the training images' crop and flip (JSON {@code augment: {minScale, flip}});
 *     default {@link AugmentPolicy#openClip()}
 * @param init the checkpoint the run starts from instead of a random initialization (an
 *     OpenCLIP or MobileCLIP safetensors file, see {@link CheckpointFiles}); empty for none
 */
public record ClipRunSpec(String objective, String imageEncoder, Map<String, Object> imageConfig, String textEncoder,
    Map<String, Object> textConfig, int embedDim, int imageSize, int batchSize, int epochs, long maxSteps,
    double learningRate, long warmupSteps, double curatedProbability, double maskRatio, int decoderWidth, int loaderThreads,
    AugmentPolicy augment, String init) {

  /** The objectives a run may have. */
  public static final Set<String> OBJECTIVES = Set.of("clip", "mae", "none");

  public ClipRunSpec {
    Objects.requireNonNull(objective, "objective");
    if (!OBJECTIVES.contains(objective)) {
      throw new IllegalArgumentException("objective must be one of " + new TreeSet<>(OBJECTIVES) + ", got '" + objective + "'");
    }
    Objects.requireNonNull(imageEncoder, "imageEncoder");
    imageConfig = Map.copyOf(imageConfig);
    textConfig = Map.copyOf(textConfig);
    require(embedDim > 0, "embedDim", embedDim);
    require(imageSize > 0, "imageSize", imageSize);
    require(batchSize > 0, "batchSize", batchSize);
    require(epochs >= 0, "epochs", epochs);
    require(maxSteps >= 0, "maxSteps", maxSteps);
    require(learningRate > 0, "learningRate", learningRate);
    require(curatedProbability >= 0 && curatedProbability <= 1, "curatedProbability", curatedProbability);
    require(maskRatio > 0 && maskRatio < 1, "maskRatio", maskRatio);
    require(decoderWidth > 0, "decoderWidth", decoderWidth);
    require(loaderThreads > 0, "loaderThreads", loaderThreads);
    Objects.requireNonNull(augment, "augment");
    init = init == null ? "" : init;
  }

  /** A spec that starts from a random initialization. */
  public ClipRunSpec(String objective, String imageEncoder, Map<String, Object> imageConfig, String textEncoder,
      Map<String, Object> textConfig, int embedDim, int imageSize, int batchSize, int epochs, long maxSteps,
      double learningRate, long warmupSteps, double curatedProbability, double maskRatio, int decoderWidth, int loaderThreads,
      AugmentPolicy augment) {
    this(objective, imageEncoder, imageConfig, textEncoder, textConfig, embedDim, imageSize, batchSize, epochs, maxSteps,
        learningRate, warmupSteps, curatedProbability, maskRatio, decoderWidth, loaderThreads, augment, "");
  }

  /** A spec with the default augmentation ({@link AugmentPolicy#openClip()}). */
  public ClipRunSpec(String objective, String imageEncoder, Map<String, Object> imageConfig, String textEncoder,
      Map<String, Object> textConfig, int embedDim, int imageSize, int batchSize, int epochs, long maxSteps,
      double learningRate, long warmupSteps, double curatedProbability, double maskRatio, int decoderWidth, int loaderThreads) {
    this(objective, imageEncoder, imageConfig, textEncoder, textConfig, embedDim, imageSize, batchSize, epochs, maxSteps,
        learningRate, warmupSteps, curatedProbability, maskRatio, decoderWidth, loaderThreads, AugmentPolicy.openClip(), "");
  }

  /** Whether the run starts from a checkpoint ({@link #init}). */
  public boolean hasInit() {
    return !init.isEmpty();
  }

  /** This spec with other image and text configurations. */
  public ClipRunSpec withConfigs(Map<String, Object> image, Map<String, Object> text) {
    return new ClipRunSpec(objective, imageEncoder, image, textEncoder, text, embedDim, imageSize, batchSize, epochs, maxSteps,
        learningRate, warmupSteps, curatedProbability, maskRatio, decoderWidth, loaderThreads, augment, init);
  }

  private static void require(boolean ok, String field, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("run spec field '" + field + "' is out of range: " + value);
    }
  }

  /** This spec as JSON (the payload form). */
  public String toJson() {
    return new JsonObject()
        .put("objective", objective).put("imageEncoder", imageEncoder).put("imageConfig", new JsonObject(imageConfig))
        .put("textEncoder", textEncoder).put("textConfig", new JsonObject(textConfig)).put("embedDim", embedDim)
        .put("imageSize", imageSize).put("batchSize", batchSize).put("epochs", epochs).put("maxSteps", maxSteps)
        .put("learningRate", learningRate).put("warmupSteps", warmupSteps).put("curatedProbability", curatedProbability)
        .put("maskRatio", maskRatio).put("decoderWidth", decoderWidth).put("loaderThreads", loaderThreads)
        .put("augment", new JsonObject().put("minScale", augment.minScale()).put("flip", augment.flip()))
        .put("init", init)
        .encode();
  }

  /** Reads {@link #toJson()}'s form; absent fields take the defaults of {@link #defaults()}. */
  public static ClipRunSpec fromJson(String json) {
    JsonObject j = new JsonObject(json);
    ClipRunSpec d = defaults();
    return new ClipRunSpec(j.getString("objective", d.objective), j.getString("imageEncoder", d.imageEncoder),
        j.containsKey("imageConfig") ? j.getJsonObject("imageConfig").getMap() : d.imageConfig,
        j.getString("textEncoder", d.textEncoder),
        j.containsKey("textConfig") ? j.getJsonObject("textConfig").getMap() : d.textConfig,
        j.getInteger("embedDim", d.embedDim), j.getInteger("imageSize", d.imageSize), j.getInteger("batchSize", d.batchSize),
        j.getInteger("epochs", d.epochs), j.getLong("maxSteps", d.maxSteps), j.getDouble("learningRate", d.learningRate),
        j.getLong("warmupSteps", d.warmupSteps), j.getDouble("curatedProbability", d.curatedProbability),
        j.getDouble("maskRatio", d.maskRatio), j.getInteger("decoderWidth", d.decoderWidth),
        j.getInteger("loaderThreads", d.loaderThreads), augment(j.getValue("augment"), d.augment), j.getString("init", ""));
  }

  private static AugmentPolicy augment(Object v, AugmentPolicy dflt) {
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof JsonObject a)) {
      throw new IllegalArgumentException("run spec field 'augment' must be an object {minScale, flip}, got " + v);
    }
    Object minScale = a.getValue("minScale", dflt.minScale());
    Object flip = a.getValue("flip", dflt.flip());
    if (!(minScale instanceof Number n) || !(n.doubleValue() > 0 && n.doubleValue() <= 1)) {
      throw new IllegalArgumentException("run spec field 'augment.minScale' must be a number in (0, 1], got " + minScale);
    }
    if (!(flip instanceof Boolean b)) {
      throw new IllegalArgumentException("run spec field 'augment.flip' must be true or false, got " + flip);
    }
    return new AugmentPolicy(n.doubleValue(), b);
  }

  /** CLIP on vit-tiny + text-tiny at 64 px, batch 128, 1 epoch, lr 5e-4, 20 warmup steps, p = 1. */
  public static ClipRunSpec defaults() {
    return new ClipRunSpec("clip", "vit", Map.of("preset", "vit-tiny"), "text-transformer", Map.of("preset", "text-tiny"),
        128, 64, 128, 1, 0, 5e-4, 20, 1.0, 0.75, 128, 1);
  }
}
