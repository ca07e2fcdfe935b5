package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.recap.worker.node.PermanentTaskFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A {@link ClipModel}'s parameters as a safetensors state dict under the names of the framework
 * the image tower comes from, written out and read back.
 *
 * <p>Names: the image tower's through {@code imageNames} (the image encoder's
 * {@code exportName}). When those start with {@link Layout#MOBILECLIP}'s prefix
 * {@code image_encoder.model.} (the {@code mci} encoder), the layout is MobileCLIP's and the image
 * projection is {@code image_encoder.model.head.proj} (its {@code GlobalPool2D}); otherwise it is
 * OpenCLIP's, the tower under {@code visual.} (added when the mapped name lacks it) and the
 * projection {@code visual.proj}. Both are {@code [width, embed]}, applied as {@code x @ P}. The text
 * tower's parameters through {@code textNames} (the text encoder's {@code exportName}; OpenCLIP's
 * text tower sits at the top level, in both layouts), then {@code text_projection}
 * ({@code [width, embed]}) and {@code logit_scale} (a 0-d tensor holding {@code ln(scale)}).
 *
 * <p>Reading is strict: every parameter of the model needs a tensor of its name and shape, and
 * every tensor of the file needs a parameter, except PyTorch's BatchNorm counters
 * ({@code *.num_batches_tracked}), which Recap does not keep. A mismatch fails with a
 * {@link CheckpointMismatch} naming the tensor and both shapes.
 */
public final class ClipCheckpoint {

  /** The state-dict layouts a CLIP checkpoint may have. */
  public enum Layout {
    /** OpenCLIP's {@code CLIP}: {@code visual.*}, {@code visual.proj}. */
    OPENCLIP("openclip", "visual.", "visual.proj", "open_clip_model.safetensors", CheckpointFiles.OPENCLIP_CONFIG),
    /** MobileCLIP's: {@code image_encoder.model.*}, {@code image_encoder.model.head.proj}. */
    MOBILECLIP("mobileclip", "image_encoder.model.", "image_encoder.model.head.proj", "mobileclip_model.safetensors",
        CheckpointFiles.MOBILECLIP_CONFIG);

    private final String formatName;
    private final String imagePrefix;
    private final String imageProjection;
    private final String modelFile;
    private final String configFile;

    Layout(String formatName, String imagePrefix, String imageProjection, String modelFile, String configFile) {
      this.formatName = formatName;
      this.imagePrefix = imagePrefix;
      this.imageProjection = imageProjection;
      this.modelFile = modelFile;
      this.configFile = configFile;
    }

    /** The layout {@code recap export --format} names, or empty. */
    public static java.util.Optional<Layout> ofFormat(String format) {
      return Arrays.stream(values()).filter(l -> l.formatName.equals(format)).findFirst();
    }

    /** The safetensors file's name in an export: {@code open_clip_model.safetensors}, as on the Hugging Face hub. */
    public String modelFile() {
      return modelFile;
    }

    /** The config file's name beside it. */
    public String configFile() {
      return configFile;
    }

    /** {@code openclip} or {@code mobileclip}, as {@code recap export --format} names it. */
    public String formatName() {
      return formatName;
    }

    /** What every image-tower tensor's name starts with. */
    public String imagePrefix() {
      return imagePrefix;
    }

    /** The image projection's name. */
    public String imageProjection() {
      return imageProjection;
    }
  }

  /** Buffers of a PyTorch state dict that no Recap parameter holds; skipped when reading. */
  private static final String BATCH_NORM_COUNTER = ".num_batches_tracked";

  private final UnaryOperator<String> imageNames;
  private final UnaryOperator<String> textNames;

  /**
   * @param imageNames the image encoder's {@code exportName}
   * @param textNames the text encoder's {@code exportName}
   */
  public ClipCheckpoint(UnaryOperator<String> imageNames, UnaryOperator<String> textNames) {
    this.imageNames = imageNames;
    this.textNames = textNames;
  }

  /** The layout of an image tower's exported names: MobileCLIP's when they start with its prefix, else OpenCLIP's. */
  public Layout layout(Block imageTower) {
    for (Pair<String, Parameter> p : imageTower.getParameters()) {
      if (imageNames.apply(p.getKey()).startsWith(Layout.MOBILECLIP.imagePrefix())) {
        return Layout.MOBILECLIP;
      }
    }
    return Layout.OPENCLIP;
  }

  /** Every image-tower parameter by its exported name, in the tower's order. */
  public Map<String, Parameter> imageTowerNamed(Block imageTower) {
    Layout layout = layout(imageTower);
    Map<String, Parameter> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : imageTower.getParameters()) {
      String name = imageNames.apply(p.getKey());
      put(out, name.startsWith(layout.imagePrefix()) ? name : layout.imagePrefix() + name, p.getValue());
    }
    return out;
  }

  /** Every parameter by its exported name, in a fixed order. */
  public Map<String, Parameter> named(ClipModel model) {
    Map<String, Parameter> out = new LinkedHashMap<>(imageTowerNamed(model.imageTower().block()));
    Layout layout = layout(model.imageTower().block());
    if (out.containsKey(layout.imageProjection())) {
      throw new IllegalStateException("the image tower has its own '" + layout.imageProjection() + "' (an mci tower with"
          + " projectionDim > 0) besides the CLIP model's image projection; " + layout.formatName() + " checkpoints hold"
          + " one: train with projectionDim 0");
    }
    put(out, layout.imageProjection(), model.imageProjection());
    for (Pair<String, Parameter> p : model.textTower().block().getParameters()) {
      put(out, textNames.apply(p.getKey()), p.getValue());
    }
    put(out, "text_projection", model.textProjection());
    put(out, "logit_scale", model.logitScale());
    return out;
  }

  private static void put(Map<String, Parameter> out, String name, Parameter p) {
    if (out.put(name, p) != null) {
      throw new IllegalStateException("two parameters export as '" + name + "'; fix the encoder's exportName");
    }
  }

  /** Writes every parameter of {@code model} (initialized) to {@code file}, atomically. */
  public void write(ClipModel model, Path file, Map<String, String> metadata) throws IOException {
    List<Safetensors.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : named(model).entrySet()) {
      NDArray a = e.getValue().getArray();
      tensors.add(new Safetensors.Tensor(e.getKey(), a.getShape().getShape(), a.toFloatArray()));
    }
    Safetensors.write(file, tensors, metadata);
  }

  /** Writes every parameter of {@code model} with {@code format: pt} metadata. */
  public void write(ClipModel model, Path file) throws IOException {
    write(model, file, Map.of("format", "pt", "producer", "recap"));
  }

  /**
   * Sets every parameter of {@code model} (initialized, same configuration) from {@code file}.
   *
   * @throws CheckpointMismatch naming the first tensor that is missing, has another shape or maps
   *     to no parameter
   */
  public void read(ClipModel model, Path file) throws IOException, CheckpointMismatch {
    load(named(model), Safetensors.read(file), file);
  }

  /**
   * Sets every parameter of an initialized image tower from the tower's tensors in {@code file}
   * (those under its layout's prefix); the text tower, the projections and the logit scale of the
   * file are left aside (a dense evaluation or masked-image training reads the tower only).
   *
   * @return the names of the tensors left aside
   * @throws CheckpointMismatch naming the first tower tensor that is missing, has another shape or
   *     maps to no parameter of the tower
   */
  public List<String> readImageTower(Block imageTower, Path file) throws IOException, CheckpointMismatch {
    Layout layout = layout(imageTower);
    Map<String, Safetensors.Tensor> tensors = Safetensors.read(file);
    List<String> aside = new ArrayList<>();
    Map<String, Safetensors.Tensor> tower = new LinkedHashMap<>();
    tensors.forEach((name, t) -> {
      if (name.startsWith(layout.imagePrefix()) && !name.equals(layout.imageProjection())) {
        tower.put(name, t);
      } else {
        aside.add(name);
      }
    });
    if (tower.isEmpty()) {
      throw new CheckpointMismatch(file + " has no tensor under '" + layout.imagePrefix() + "', where a " + layout.formatName()
          + " checkpoint keeps its image tower; its tensors start " + firstNames(tensors.keySet()));
    }
    load(imageTowerNamed(imageTower), tower, file);
    return aside;
  }

  private static String firstNames(Collection<String> names) {
    List<String> first = names.stream().limit(5).toList();
    return first + (names.size() > first.size() ? " ..." : "");
  }

  private static void load(Map<String, Parameter> params, Map<String, Safetensors.Tensor> tensors, Path file)
      throws CheckpointMismatch {
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Safetensors.Tensor t = tensors.get(e.getKey());
      Parameter p = e.getValue();
      if (t == null) {
        throw new CheckpointMismatch(file + " has no tensor '" + e.getKey() + "' for the model's parameter " + p.getName()
            + " of shape " + Arrays.toString(p.getArray().getShape().getShape()) + ": the checkpoint's architecture is not"
            + " the one the run's encoder configuration builds");
      }
      long[] expected = p.getArray().getShape().getShape();
      if (!Arrays.equals(expected, t.shape())) {
        throw new CheckpointMismatch(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
            + ", the model's parameter has shape " + Arrays.toString(expected) + hint(e.getKey()));
      }
    }
    for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      if (!params.containsKey(name) && !name.endsWith(BATCH_NORM_COUNTER)) {
        throw new CheckpointMismatch(file + ": tensor '" + name + "' of shape " + Arrays.toString(e.getValue().shape())
            + " maps to no parameter of the model: the checkpoint has a part the run's encoders do not build (e.g. layer"
            + " scale, an attention pooler, a logit bias)");
      }
    }
    Autograd.withGradMode(false, () -> {
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        e.getValue().getArray().set(tensors.get(e.getKey()).data());
      }
      return null;
    });
  }

  /** What a shape mismatch of a well-known tensor usually means. */
  private static String hint(String name) {
    if (name.equals("token_embedding.weight")) {
      return "; its rows are the tokenizer's vocabulary: give the run the checkpoint's tokenizer (a tokenizer/ or"
          + " tokenizer.json beside it, or textConfig: {tokenizer: path/tokenizer.json, vocab_size: N})";
    }
    if (name.equals("positional_embedding")) {
      return "; its rows are the text context length: set the text encoder's 'context' to the checkpoint's";
    }
    if (name.endsWith("positional_embedding")) {
      return "; its rows are the patch grid plus the class token: set the image encoder's 'imageSize' and 'patch'"
          + " to the checkpoint's";
    }
    if (name.equals("text_projection") || name.endsWith(".proj")) {
      return "; set the run's 'embedDim' to the checkpoint's embedding width";
    }
    return "; set the encoder configuration to the checkpoint's architecture";
  }

  /** A checkpoint that does not fit the model it is read into; retrying cannot help. */
  public static final class CheckpointMismatch extends PermanentTaskFailure {
    public CheckpointMismatch(String message) {
      super(message);
    }
  }
}
