package dev.recap.worker.caption;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.Extensions;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.Augmentation;
import dev.recap.worker.train.Autograd;
import dev.recap.worker.train.ClipModel;
import dev.recap.worker.train.ClipRunFactory;
import dev.recap.worker.train.ClipRunSpec;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DataComp's CLIP score with a CLIP trained in Recap: the cosine similarity of the L2-normalized
 * image and text embeddings, in [-1, 1], higher for a caption that describes its image better.
 *
 * <p>Images are resized whole (no crop) to the run's input size and normalized as the loader
 * does for evaluation; captions are tokenized with the run's tokenizer. Scoring runs in batches
 * of at most {@code batchSize} pairs, each in its own sub-manager, with gradient recording off.
 * One instance is not meant for concurrent calls from several threads; {@link #close()} frees the
 * model.
 */
public final class ClipImageTextScorer implements ImageTextScorer, AutoCloseable {

  /** The run spec a pretrain task writes beside its weights. */
  public static final String RUN_SPEC = "run.json";
  /** The CLIP parameters (both towers, projections, logit scale) a clip pretrain task writes. */
  public static final String PARAMETERS = "clip.params";
  /** The saved tokenizer directory of a clip pretrain task. */
  public static final String TOKENIZER = "tokenizer";

  private final NDManager manager;
  private final ClipModel model;
  private final TextTokenizer tokenizer;
  private final Augmentation resize;
  private final int batchSize;
  private final String source;
  private final boolean ownsManager;

  /**
   * A scorer over an initialized {@code model} whose parameters live on {@code manager}; the
   * scorer owns neither and {@link #close()} leaves them open.
   *
   * @param imageSize the square input edge the model was trained at
   * @param batchSize pairs per forward pass
   */
  public ClipImageTextScorer(ClipModel model, TextTokenizer tokenizer, NDManager manager, int imageSize, int batchSize) {
    this(model, tokenizer, manager, imageSize, batchSize, "an in-memory model", false);
  }

  private ClipImageTextScorer(ClipModel model, TextTokenizer tokenizer, NDManager manager, int imageSize, int batchSize,
      String source, boolean ownsManager) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.manager = manager;
    this.resize = Augmentation.resizeOnly(imageSize);
    this.batchSize = batchSize;
    this.source = source;
    this.ownsManager = ownsManager;
  }

  /**
   * Rebuilds the CLIP of a {@code clip} pretrain task from its artifact directory: the towers and
   * image size from {@value #RUN_SPEC}, the tokenizer from {@value #TOKENIZER}/, the trained
   * parameters from {@value #PARAMETERS}.
   *
   * @param pretrained the pretrain task's artifact directory
   * @param extensions the loaded plugins (the run's image and text encoders must be among them); the
   *     model lives on their {@link Extensions#device() device}
   * @throws IOException naming the file that is missing or unreadable
   * @throws IllegalArgumentException naming the file and field that cannot be used
   */
  public static ClipImageTextScorer load(Path pretrained, Extensions extensions, int batchSize) throws IOException {
    if (!Files.isDirectory(pretrained)) {
      throw new IOException("CLIP scorer: " + pretrained + " is not a directory; point the curate stage's score at a pretrain"
          + " stage whose clip run has finished");
    }
    Path specFile = pretrained.resolve(RUN_SPEC);
    if (!Files.isRegularFile(specFile)) {
      throw new IOException("CLIP scorer: " + specFile + " is missing; the pretrain task writes it last, so that task did not"
          + " finish (re-run the pretrain stage)");
    }
    ClipRunSpec spec;
    try {
      spec = ClipRunSpec.fromJson(Files.readString(specFile));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("CLIP scorer: " + specFile + " is not a valid run spec: " + e.getMessage(), e);
    }
    if (!spec.objective().equals("clip")) {
      throw new IllegalArgumentException("CLIP scorer: " + specFile + " field 'objective' is '" + spec.objective()
          + "'; scoring needs a clip run (it has a text tower): pick a run with objective clip");
    }
    ClipRunFactory factory = new ClipRunFactory(spec, extensions);
    Path tokenizerDir = pretrained.resolve(TOKENIZER);
    if (!Files.isDirectory(tokenizerDir)) {
      throw new IOException("CLIP scorer: tokenizer directory " + tokenizerDir + " is missing (a clip pretrain task saves it)");
    }
    Path params = pretrained.resolve(PARAMETERS);
    if (!Files.isRegularFile(params)) {
      throw new IOException("CLIP scorer: " + params + " is missing (a clip pretrain task saves it)");
    }
    TextTokenizer tokenizer;
    try {
      tokenizer = factory.textEncoder().loadTokenizer(tokenizerDir);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CLIP scorer: " + specFile + " field 'textEncoder': " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new IOException("CLIP scorer: cannot load the tokenizer in " + tokenizerDir + ": " + e.getMessage(), e);
    }
    NDManager manager = NDManager.newBaseManager(extensions.device());
    try {
      ClipModel model;
      try {
        // the seed only fills parameters that the file then replaces
        model = factory.clipModel(manager, tokenizer, 0);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("CLIP scorer: " + specFile + " fields 'imageEncoder'/'textEncoder' (" + spec.imageEncoder()
            + ", " + spec.textEncoder() + "): " + e.getMessage(), e);
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
        model.restoreParameters(manager, new DataInputStream(in));
      } catch (MalformedModelException | IOException | RuntimeException e) {
        throw new IOException("CLIP scorer: " + params + " does not fit the towers " + RUN_SPEC + " describes (" + spec.imageEncoder()
            + " " + spec.imageConfig() + ", " + spec.textEncoder() + " " + spec.textConfig() + ", embedDim " + spec.embedDim()
            + "): " + e.getMessage(), e);
      }
      return new ClipImageTextScorer(model, tokenizer, manager, spec.imageSize(), batchSize, pretrained.toString(), true);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The input edge images are resized to. */
  public int imageSize() {
    return resize.size();
  }

  @Override
  public float[] score(List<RgbImage> images, List<String> captions) {
    if (images.size() != captions.size()) {
      throw new IllegalArgumentException("CLIP scorer got " + images.size() + " images but " + captions.size() + " captions");
    }
    float[] out = new float[images.size()];
    for (int from = 0; from < out.length; from += batchSize) {
      int to = Math.min(out.length, from + batchSize);
      float[] part = scoreBatch(images.subList(from, to), captions.subList(from, to));
      System.arraycopy(part, 0, out, from, part.length);
    }
    return out;
  }

  private float[] scoreBatch(List<RgbImage> images, List<String> captions) {
    int n = images.size();
    int size = resize.size();
    int pixels = 3 * size * size;
    float[] input = new float[n * pixels];
    SplittableRandom unused = new SplittableRandom(0); // resizing without augmentation draws nothing
    long[][] tokens = new long[n][];
    for (int i = 0; i < n; i++) {
      resize.apply(new Sample("score", images.get(i), Map.of(), List.of(), null, null), unused, input, i * pixels, null, null, 0);
      String c = captions.get(i);
      tokens[i] = tokenizer.encode(c == null ? "" : c);
    }
    try (NDManager step = manager.newSubManager()) {
      return Autograd.withGradMode(false, () -> {
        ParameterStore ps = new ParameterStore(step, false);
        NDArray img = model.encodeImages(ps, step.create(input, new Shape(n, 3, size, size)), false);
        NDArray txt = model.encodeTexts(ps, step.create(tokens), false);
        // both are unit vectors already; dividing by the norms again keeps the score a cosine
        // even if a tower emits a zero or non-finite row (then NaN, which filters rank last)
        NDArray dot = img.mul(txt).sum(new int[] {1});
        NDArray norms = img.norm(new int[] {1}).mul(txt.norm(new int[] {1}));
        return dot.div(norms).toFloatArray();
      });
    }
  }

  @Override
  public String toString() {
    return "CLIP score (" + source + ", " + resize.size() + " px)";
  }

  @Override
  public void close() {
    if (ownsManager) {
      manager.close();
    }
  }
}
