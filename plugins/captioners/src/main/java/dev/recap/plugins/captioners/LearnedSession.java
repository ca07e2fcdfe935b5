package dev.recap.plugins.captioners;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;

/** A {@link LearnedCaptioner} session: trains, captions and saves one decoder. */
final class LearnedSession implements Captioner.Session {

  static final String VOCABULARY_FILE = "vocabulary.txt";
  /** Gradients are scaled to at most this global L2 norm before each Adam step. */
  static final float MAX_GRADIENT_NORM = 1f;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LearnedSession.class);
  static final String PARAMETERS_FILE = "captioner.params";
  static final String ARCHITECTURE_FILE = "captioner.properties";
  private static final List<String> ARCHITECTURE_KEYS = List.of("encoder", "imageSize", "width", "layers", "heads", "maxLength");

  private final PluginConfig config;
  private final long seed;
  private final Extensions extensions;
  private final int imageSize;
  private final int width;
  private final int layers;
  private final int heads;
  private final int maxLength;
  private final boolean beam;
  private final int beamWidth;

  private Model model;
  private ImageCaptionModel block;
  private Trainer trainer;
  private WordVocabulary vocabulary;
  private float lastLoss = Float.NaN;
  private int skippedSteps;

  private LearnedSession(PluginConfig config, long seed, Extensions extensions) {
    this.config = config;
    this.seed = seed;
    this.extensions = extensions;
    config.requireString("encoder");
    this.imageSize = atLeast(config, "imageSize", 64, 8);
    this.width = atLeast(config, "width", 64, 4);
    this.layers = atLeast(config, "layers", 2, 1);
    this.heads = atLeast(config, "heads", 4, 1);
    this.maxLength = atLeast(config, "maxLength", 16, 3);
    String decoding = config.getString("decoding", "greedy");
    if (!decoding.equals("greedy") && !decoding.equals("beam")) {
      throw new IllegalArgumentException("config key 'decoding' must be 'greedy' or 'beam', got '" + decoding + "'");
    }
    this.beam = decoding.equals("beam");
    this.beamWidth = atLeast(config, "beamWidth", 4, 1);
  }

  static LearnedSession open(PluginConfig config, long seed, Extensions extensions) throws IOException {
    if (!config.has("state")) {
      return new LearnedSession(config, seed, extensions);
    }
    Path state = Path.of(config.getString("state", null));
    Path arch = state.resolve(ARCHITECTURE_FILE);
    if (!Files.isRegularFile(arch)) {
      throw new IOException("config key 'state' = " + state + " is not a learned-captioner state directory (no " + ARCHITECTURE_FILE + "); write one with Session.save");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(arch, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, Object> saved = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> saved.put(k, p.getProperty(k)));
    LearnedSession s = new LearnedSession(config.with(saved), seed, extensions);
    s.vocabulary = WordVocabulary.load(state.resolve(VOCABULARY_FILE));
    s.buildModel();
    s.block.initialize(s.model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, s.imageSize, s.imageSize), new Shape(1, s.maxLength - 1));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(state.resolve(PARAMETERS_FILE)))) {
      s.block.loadParameters(s.model.getNDManager(), new DataInputStream(in));
    } catch (MalformedModelException e) {
      s.close();
      throw new IOException("parameters in " + state.resolve(PARAMETERS_FILE) + " do not fit the saved architecture: " + e.getMessage(), e);
    }
    return s;
  }

  private static int atLeast(PluginConfig config, String key, int dflt, int min) {
    int v = config.getInt(key, dflt);
    if (v < min) {
      throw new IllegalArgumentException("config key '" + key + "' must be at least " + min + ", got " + v);
    }
    return v;
  }

  private void buildModel() {
    String encoderId = config.requireString("encoder");
    ImageEncoder encoder = extensions.get(ImageEncoder.class, encoderId);
    Map<String, Object> encoderKeys = new LinkedHashMap<>();
    config.asMap().forEach((k, v) -> {
      if (k.startsWith("encoder.")) {
        encoderKeys.put(k.substring("encoder.".length()), v);
      }
    });
    ImageTower tower = encoder.build(encoder.resolve(PluginConfig.of(encoderKeys)));
    int stride = tower.primaryLevel().stride();
    if (imageSize % tower.inputMultiple() != 0 || imageSize % stride != 0) {
      throw new IllegalArgumentException("config key 'imageSize' (" + imageSize + ") must be a multiple of encoder '" + encoderId
          + "' input multiple " + tower.inputMultiple() + " and stride " + stride);
    }
    int cells = (imageSize / stride) * (imageSize / stride);
    block = new ImageCaptionModel(tower.block(), new CaptionDecoder(width, layers, heads, vocabulary.size(), cells, maxLength));
    model = Model.newInstance("learned-captioner", Device.cpu());
    model.setBlock(block);
  }

  @Override
  public void train(List<CaptionRequest> references) {
    train(references, (step, steps, loss) -> {});
  }

  @Override
  public void train(List<CaptionRequest> references, Captioner.TrainingProgress progress) {
    List<CaptionRequest> refs = references.stream().filter(r -> r.sourceCaption() != null && !r.sourceCaption().isBlank()).toList();
    if (refs.isEmpty()) {
      throw new IllegalArgumentException("learned captioner: none of the " + references.size()
          + " reference requests has a sourceCaption; pass the reference (quality) captions as sourceCaption");
    }
    if (model != null) {
      throw new IllegalStateException("learned captioner session is already trained or loaded; open a new session to train again");
    }
    int steps = atLeast(config, "steps", 400, 1);
    int batchSize = Math.min(atLeast(config, "batchSize", 32, 1), refs.size());
    float learningRate = (float) config.getDouble("learningRate", 0.002);
    vocabulary = WordVocabulary.build(refs.stream().map(CaptionRequest::sourceCaption).toList(), atLeast(config, "minWordCount", 1, 1));
    buildModel();

    Engine.getInstance().setRandomSeed((int) seed);
    // no optClipGrad: DJL 0.36's PyTorch Adam clips one-sidedly (grad.clamp_max_), so negative
    // gradients passed unclipped; clipByGlobalNorm below clips symmetrically instead
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(learningRate)).build())
        .optDevices(new Device[] {Device.cpu()});
    trainer = model.newTrainer(tc);
    int inputLength = maxLength - 1;
    trainer.initialize(new Shape(batchSize, 3, imageSize, imageSize), new Shape(batchSize, inputLength));
    loadEncoderParameters();
    if (!config.getBoolean("trainEncoder", true)) {
      block.encoder().freezeParameters(true);
    }

    int n = refs.size();
    int pixels = 3 * imageSize * imageSize;
    float[] images = new float[n * pixels];
    long[][] tokens = new long[n][];
    for (int i = 0; i < n; i++) {
      ImagePixels.writeChw(refs.get(i).image(), imageSize, images, i * pixels);
      tokens[i] = vocabulary.encode(refs.get(i).sourceCaption(), maxLength);
    }
    Random random = new Random(seed);
    int[] order = permutation(n, random);
    int cursor = 0;
    // The same policy as the CLIP trainer: a non-finite step is skipped (nothing applied) and
    // training stops only after maxConsecutiveSkips of them in a row.
    int maxSkips = atLeast(config, "maxConsecutiveSkips", 3, 1);
    int streak = 0;
    for (int step = 0; step < steps; step++) {
      float[] batchImages = new float[batchSize * pixels];
      long[] input = new long[batchSize * inputLength];
      long[] target = new long[batchSize * inputLength];
      for (int b = 0; b < batchSize; b++) {
        if (cursor == n) {
          order = permutation(n, random);
          cursor = 0;
        }
        int i = order[cursor++];
        System.arraycopy(images, i * pixels, batchImages, b * pixels, pixels);
        System.arraycopy(tokens[i], 0, input, b * inputLength, inputLength);
        System.arraycopy(tokens[i], 1, target, b * inputLength, inputLength);
      }
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDArray x = m.create(batchImages, new Shape(batchSize, 3, imageSize, imageSize));
        NDArray in = m.create(input, new Shape(batchSize, inputLength));
        NDArray tgt = m.create(target, new Shape(batchSize, inputLength));
        NDArray mask = tgt.neq(WordVocabulary.PAD).toType(DataType.FLOAT32, false);
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDArray logits = trainer.forward(new NDList(x, in)).head();
          // the target's log-probability picked by index: multiplying log-softmax by a one-hot
          // turns any -inf log-probability into NaN (-inf * 0) for every non-target word
          NDArray picked = logits.logSoftmax(-1).gather(tgt.expandDims(-1), -1).squeeze(-1);
          NDArray loss = picked.mul(mask).sum().neg().div(mask.sum());
          float value = loss.getFloat();
          if (!Float.isFinite(value)) {
            streak = skip("loss", value, step, steps, streak, maxSkips, learningRate, batchSize);
            progress.step(step + 1, steps, Double.NaN);
            continue;
          }
          gc.backward(loss);
          lastLoss = value;
        }
        Map<String, NDArray> grads = gradients(m);
        float norm = clipByGlobalNorm(grads.values(), MAX_GRADIENT_NORM);
        if (!Float.isFinite(norm)) {
          String where = nonFinite(grads);
          grads.values().forEach(LearnedSession::zeroInPlace);
          streak = skip("gradient norm (non-finite in " + where + ")", norm, step, steps, streak, maxSkips, learningRate, batchSize);
          progress.step(step + 1, steps, Double.NaN);
          continue;
        }
        streak = 0;
        trainer.step();
      }
      progress.step(step + 1, steps, lastLoss);
    }
  }

  private void loadEncoderParameters() {
    if (!config.has("encoderParameters")) {
      return;
    }
    Path file = Path.of(config.getString("encoderParameters", null));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      block.encoder().loadParameters(model.getNDManager(), new DataInputStream(in));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalArgumentException("config key 'encoderParameters': cannot load encoder parameters from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Records a skipped non-finite step (nothing is applied); fails once {@code maxSkips} happened in
   * a row, naming the first step of the streak. Returns the new streak length.
   */
  private int skip(String what, float value, int step, int steps, int streak, int maxSkips, float learningRate, int batchSize) {
    int now = streak + 1;
    skippedSteps++;
    if (now >= maxSkips) {
      throw new IllegalStateException(divergence(what, value, step - now + 1, steps, learningRate, batchSize)
          + " (" + now + " consecutive non-finite steps; config key 'maxConsecutiveSkips' is " + maxSkips + ")");
    }
    LOG.warn("learned captioner: skipped step {} of {}: the {} is {} (nothing applied; {} in a row)", step, steps, what, value, now);
    return now;
  }

  /** Steps skipped because their loss or gradient was not finite. */
  int skippedSteps() {
    return skippedSteps;
  }

  /**
   * Every trainable parameter's gradient by parameter name, each a new handle on the gradient's
   * storage owned by {@code m} (closed with the step).
   */
  private Map<String, NDArray> gradients(NDManager m) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    for (var e : block.getParameters()) {
      Parameter p = e.getValue();
      if (p.requiresGradient() && p.isInitialized() && p.getArray().hasGradient()) {
        NDArray g = p.getArray().getGradient();
        g.attach(m);
        grads.put(e.getKey(), g);
      }
    }
    return grads;
  }

  /** The parameters whose gradient has a non-finite element (at most 6 named), for the skip message. */
  private static String nonFinite(Map<String, NDArray> grads) {
    List<String> names = new ArrayList<>();
    int count = 0;
    for (var e : grads.entrySet()) {
      NDArray g = e.getValue();
      if (g.isInfinite().logicalOr(g.isNaN()).any().getBoolean()) {
        count++;
        if (names.size() < 6) {
          names.add(e.getKey());
        }
      }
    }
    return count + " parameter(s) " + names + (count > names.size() ? "..." : "");
  }

  /**
   * Sets every element of {@code g} to 0 in place, NaN and infinities included ({@code x^0 = 1}
   * for every x, then times 0; {@code g * 0} would keep NaN). Never {@code g.set(buffer)}: on
   * PyTorch that makes the tensor's storage the Java buffer held by this one handle, and once the
   * handle is closed and collected, the parameter's gradient points into freed memory (the next
   * backward then accumulates into it: garbage gradients and a corrupted native heap).
   */
  static void zeroInPlace(NDArray g) {
    g.powi(0).muli(0);
  }

  private String divergence(String what, float value, int step, int steps, float learningRate, int batchSize) {
    return "learned captioner: training diverged, the " + what + " is " + value + " at step " + step + " of " + steps
        + " (seed " + seed + ", learningRate " + learningRate + ", batchSize " + batchSize + ", width " + width + ", layers " + layers
        + "); the parameters before this step were finite. Lower config key 'learningRate' or check the reference images";
  }

  /**
   * Scales all gradients so that their global L2 norm is at most {@code maxNorm} (symmetric, unlike
   * DJL's Adam clip) and returns the norm before scaling; a non-finite norm is returned unscaled.
   */
  private static float clipByGlobalNorm(Iterable<NDArray> grads, float maxNorm) {
    double sumSquares = 0;
    for (NDArray g : grads) {
      sumSquares += g.square().sum().getFloat();
    }
    float norm = (float) Math.sqrt(sumSquares);
    if (Float.isFinite(norm) && norm > maxNorm) {
      float scale = maxNorm / norm;
      for (NDArray g : grads) {
        g.muli(scale);
      }
    }
    return norm;
  }

  private static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The network, for tests; null before training or loading. */
  ImageCaptionModel network() {
    return block;
  }

  /** The model's manager, for tests. */
  NDManager manager() {
    return model.getNDManager();
  }

  /** The loss of the last training step (NaN before training). */
  float lastLoss() {
    return lastLoss;
  }

  @Override
  public List<Caption> caption(List<CaptionRequest> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (model == null) {
      return batch.stream().map(r -> Caption.none(r.key(),
          "learned captioner has no trained state: call train(...) with reference captions or set config key 'state' to a saved state directory")).toList();
    }
    int b = batch.size();
    int pixels = 3 * imageSize * imageSize;
    float[] images = new float[b * pixels];
    for (int i = 0; i < b; i++) {
      ImagePixels.writeChw(batch.get(i).image(), imageSize, images, i * pixels);
    }
    List<long[]> sequences;
    try (NDManager m = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      NDList encoded = block.encode(ps, m.create(images, new Shape(b, 3, imageSize, imageSize)), false);
      CaptionDecoder.ImagePrefix prefix = block.prefix(ps, encoded);
      sequences = beam ? beamSearch(ps, m, prefix, b) : greedy(ps, m, prefix, b);
    }
    List<Caption> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      long[] seq = sequences.get(i);
      String text = vocabulary.decode(Arrays.copyOfRange(seq, 1, seq.length));
      out.add(text.isBlank()
          ? Caption.none(batch.get(i).key(), "the decoder ended the caption before any word")
          : Caption.of(batch.get(i).key(), text));
    }
    return out;
  }

  private List<long[]> greedy(ParameterStore ps, NDManager m, CaptionDecoder.ImagePrefix prefix, int b) {
    long[][] seqs = new long[b][maxLength];
    boolean[] done = new boolean[b];
    int length = 1;
    for (long[] s : seqs) {
      s[0] = WordVocabulary.START;
    }
    while (length < maxLength) {
      long[] flat = new long[b * length];
      for (int i = 0; i < b; i++) {
        System.arraycopy(seqs[i], 0, flat, i * length, length);
      }
      NDArray logits = block.decode(ps, prefix, m.create(flat, new Shape(b, length)));
      long[] next = logits.get(":, -1, :").argMax(-1).toLongArray();
      boolean all = true;
      for (int i = 0; i < b; i++) {
        seqs[i][length] = done[i] ? WordVocabulary.PAD : next[i];
        done[i] |= next[i] == WordVocabulary.END;
        all &= done[i];
      }
      length++;
      if (all) {
        break;
      }
    }
    List<long[]> out = new ArrayList<>();
    for (long[] s : seqs) {
      out.add(Arrays.copyOf(s, length));
    }
    return out;
  }

  private record Hypothesis(long[] tokens, double logProb, boolean finished) {
    double normalized() {
      return logProb / (tokens.length - 1);
    }
  }

  /** Beam search per image; the best finished hypothesis by mean token log-probability. */
  private List<long[]> beamSearch(ParameterStore ps, NDManager m, CaptionDecoder.ImagePrefix prefix, int b) {
    List<long[]> out = new ArrayList<>();
    int vocab = vocabulary.size();
    for (int i = 0; i < b; i++) {
      CaptionDecoder.ImagePrefix own = prefix.slice(i);
      List<Hypothesis> live = List.of(new Hypothesis(new long[] {WordVocabulary.START}, 0, false));
      List<Hypothesis> finished = new ArrayList<>();
      for (int length = 1; length < maxLength && !live.isEmpty() && finished.size() < beamWidth; length++) {
        int k = live.size();
        long[] flat = new long[k * length];
        for (int h = 0; h < k; h++) {
          System.arraycopy(live.get(h).tokens, 0, flat, h * length, length);
        }
        float[] logp = block.decode(ps, own.repeat(k), m.create(flat, new Shape(k, length)))
            .get(":, -1, :").logSoftmax(-1).toFloatArray();
        List<Hypothesis> candidates = new ArrayList<>();
        for (int h = 0; h < k; h++) {
          for (int v = WordVocabulary.END; v < vocab; v++) {
            if (v == WordVocabulary.UNKNOWN) {
              continue;
            }
            long[] t = Arrays.copyOf(live.get(h).tokens, length + 1);
            t[length] = v;
            candidates.add(new Hypothesis(t, live.get(h).logProb + logp[h * vocab + v], v == WordVocabulary.END || length + 1 == maxLength));
          }
        }
        candidates.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed().thenComparing(hy -> Arrays.toString(hy.tokens)));
        List<Hypothesis> next = new ArrayList<>();
        for (Hypothesis c : candidates.subList(0, Math.min(beamWidth, candidates.size()))) {
          (c.finished ? finished : next).add(c);
        }
        live = next;
      }
      finished.addAll(live);
      Hypothesis best = finished.stream().max(Comparator.comparingDouble(Hypothesis::normalized)).orElseThrow();
      out.add(best.tokens);
    }
    return out;
  }

  @Override
  public void save(Path directory) throws IOException {
    if (model == null) {
      throw new IllegalStateException("learned captioner has nothing to save: train it first");
    }
    Files.createDirectories(directory);
    vocabulary.save(directory.resolve(VOCABULARY_FILE));
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(directory.resolve(PARAMETERS_FILE)))) {
      block.saveParameters(new DataOutputStream(out));
    }
    Map<String, String> arch = new TreeMap<>();
    config.asMap().forEach((k, v) -> {
      if (v != null && (ARCHITECTURE_KEYS.contains(k) || k.startsWith("encoder."))) {
        arch.put(k, String.valueOf(v));
      }
    });
    arch.put("imageSize", String.valueOf(imageSize));
    arch.put("width", String.valueOf(width));
    arch.put("layers", String.valueOf(layers));
    arch.put("heads", String.valueOf(heads));
    arch.put("maxLength", String.valueOf(maxLength));
    Properties p = new Properties();
    p.putAll(arch);
    try (Writer w = Files.newBufferedWriter(directory.resolve(ARCHITECTURE_FILE), StandardCharsets.UTF_8)) {
      p.store(w, "learned captioner architecture");
    }
  }

  @Override
  public void close() {
    if (trainer != null) {
      trainer.close();
      trainer = null;
    }
    if (model != null) {
      model.close();
      model = null;
    }
  }
}
