package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.api.encoder.TextTower;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.CaptionOverrides;
import dev.recap.worker.data.DataPosition;
import dev.recap.worker.data.LoaderOptions;
import dev.recap.worker.data.TarShard;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.node.PermanentTaskFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Builds the pieces of one {@link ClipRunSpec} from the loaded plugins: towers, tokenizer, CLIP
 * or masked-image models, loaders and trainers. The single-worker {@code pretrain} task and the
 * data-parallel gang stage both use it, so a run means the same thing in both.
 *
 * <p>Initialization seeds the engine's global generator: two tasks initializing at the same
 * moment in one JVM may interleave their draws (results stay valid, but are then not
 * bit-reproducible).
 */
public final class ClipRunFactory {

  private final ClipRunSpec spec;
  private final Extensions extensions;

  public ClipRunFactory(ClipRunSpec spec, Extensions extensions) {
    this.spec = spec;
    this.extensions = extensions;
  }

  public ClipRunSpec spec() {
    return spec;
  }

  /** A fresh, uninitialized image tower. */
  public ImageTower imageTower() {
    return imageTower(Map.of());
  }

  /**
   * A fresh, uninitialized image tower, {@code overrides} applied on top of the run's image
   * configuration (e.g. the dense mode an evaluation probes; see {@link ImageEncoder#denseModes()}).
   */
  public ImageTower imageTower(Map<String, ?> overrides) {
    ImageEncoder encoder = extensions.get(ImageEncoder.class, spec.imageEncoder());
    return encoder.build(encoder.resolve(PluginConfig.of(spec.imageConfig())).with(overrides));
  }

  /** The image tower, initialized with {@code seed} for {@code imageSize} inputs, parameters on {@code manager}. */
  public ImageTower initializedImageTower(NDManager manager, long seed) {
    return initializedImageTower(manager, seed, Map.of());
  }

  /** As {@link #initializedImageTower(NDManager, long)}, with {@code overrides} as {@link #imageTower(Map)} applies them. */
  public ImageTower initializedImageTower(NDManager manager, long seed, Map<String, ?> overrides) {
    ImageTower tower = imageTower(overrides);
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      tower.block().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32,
          new ai.djl.ndarray.types.Shape(1, 3, spec.imageSize(), spec.imageSize()));
    }
    return tower;
  }

  /** The text encoder plugin (clip runs). */
  public TextEncoder textEncoder() {
    if (spec.textEncoder() == null) {
      throw new IllegalStateException("a clip run needs a text encoder; the run spec names none");
    }
    return extensions.get(TextEncoder.class, spec.textEncoder());
  }

  /**
   * The run's tokenizer: the one its text config names ({@code tokenizer: path/tokenizer.json}),
   * else the one that travels with its {@link ClipRunSpec#init} checkpoint ({@link CheckpointFiles}),
   * else one trained on {@code corpus}.
   */
  public TextTokenizer tokenizer(Iterable<String> corpus) throws IOException {
    TextEncoder te = textEncoder();
    PluginConfig config = te.resolve(PluginConfig.of(spec.textConfig()));
    if (spec.hasInit() && !config.has("tokenizer") && initFiles().hasTokenizer()) {
      return initFiles().tokenizer(te, config);
    }
    return te.tokenizer(config, corpus);
  }

  private CheckpointFiles initFiles() {
    return CheckpointFiles.of(Path.of(spec.init()));
  }

  /** Names of the run's encoders' parameters in a checkpoint. */
  public ClipCheckpoint checkpoint() {
    ImageEncoder image = extensions.get(ImageEncoder.class, spec.imageEncoder());
    // a run without a text tower (mae, none) reads the image tower alone and needs no text plugin
    UnaryOperator<String> text = spec.textEncoder() == null || !spec.objective().equals("clip") ? UnaryOperator.identity()
        : textEncoder()::exportName;
    return new ClipCheckpoint(image::exportName, text);
  }

  /**
   * The CLIP a run trains from: {@link #clipModel} with the seed, then every parameter set from
   * the run's {@link ClipRunSpec#init} checkpoint when it has one.
   *
   * @throws ClipCheckpoint.CheckpointMismatch naming the tensor that does not fit
   */
  public ClipModel startingClipModel(NDManager manager, TextTokenizer tokenizer, long seed)
      throws IOException, PermanentTaskFailure {
    ClipModel model = clipModel(manager, tokenizer, seed);
    if (spec.hasInit()) {
      checkpoint().read(model, initFile());
    }
    return model;
  }

  /** The run's checkpoint file, which this worker must see at the path the coordinator checked. */
  private Path initFile() throws PermanentTaskFailure {
    Path file = Path.of(spec.init());
    if (!Files.isRegularFile(file)) {
      throw new PermanentTaskFailure("init: the checkpoint " + file + " is not readable on this worker; every worker needs it at"
          + " the path the spec names (a shared file system, or the same copy on each host)");
    }
    return file;
  }

  /**
   * Sets an initialized image tower (of {@link #imageTower}) from the run's {@link ClipRunSpec#init}
   * checkpoint, if it has one; the checkpoint's other tensors are left aside.
   *
   * @return the names of the tensors left aside (empty without a checkpoint)
   */
  public List<String> loadInitImageTower(ai.djl.nn.Block tower) throws IOException, PermanentTaskFailure {
    return spec.hasInit() ? checkpoint().readImageTower(tower, initFile()) : List.of();
  }

  /** A CLIP model, initialized with {@code seed}. */
  public ClipModel clipModel(NDManager manager, TextTokenizer tokenizer, long seed) {
    TextEncoder te = textEncoder();
    TextTower text = te.build(te.resolve(PluginConfig.of(spec.textConfig())), tokenizer);
    ClipModel model = new ClipModel(imageTower(), text, spec.embedDim());
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      model.initialize(manager, spec.imageSize(), spec.imageSize());
    }
    return model;
  }

  /** A masked-image model around a fresh image tower, initialized with {@code seed}. */
  public MaskedImageModel maskedImageModel(NDManager manager, long seed) {
    MaskedImageModel model = new MaskedImageModel(imageTower(), spec.decoderWidth());
    synchronized (Engine.class) {
      Engine.getInstance().setRandomSeed((int) seed);
      model.initialize(manager, spec.imageSize(), spec.imageSize());
    }
    return model;
  }

  /** Optimizer steps for {@code samples} training pairs: epochs x ceil(samples / batch), capped by maxSteps. */
  public long totalSteps(long samples) {
    long perEpoch = Math.max(1, (samples + spec.batchSize() - 1) / spec.batchSize());
    long total = perEpoch * Math.max(1, spec.epochs());
    return spec.maxSteps() > 0 ? Math.min(total, spec.maxSteps()) : total;
  }

  /** CLIP optimization settings over {@code totalSteps}. */
  public TrainingOptions trainingOptions(long totalSteps) {
    long warmup = Math.min(spec.warmupSteps(), Math.max(0, totalSteps - 1));
    return TrainingOptions.clip(new CosineSchedule(spec.learningRate(), warmup, Math.max(1, totalSteps), 0));
  }

  /**
   * A CLIP trainer for this run on {@code collective} (a world of one: {@link Collective#single()}),
   * in the precision {@link Precision#forDevice} picks for the manager's device.
   */
  public ClipTrainer clipTrainer(ClipModel model, NDManager manager, long totalSteps, Collective collective) {
    return new ClipTrainer(model, manager, trainingOptions(totalSteps).withPrecision(Precision.forDevice(manager.getDevice())),
        collective);
  }

  /** A masked-image trainer for this run, in the precision {@link Precision#forDevice} picks (fp32 or bf16 products). */
  public MaskedImageTrainer maskedImageTrainer(MaskedImageModel model, NDManager manager, long totalSteps, long seed,
      Collective collective) {
    Precision precision = Precision.forDevice(manager.getDevice()) == Precision.BF16_PRODUCTS ? Precision.BF16_PRODUCTS : Precision.FP32;
    return new MaskedImageTrainer(model, manager, trainingOptions(totalSteps).withPrecision(precision), collective,
        spec.maskRatio(), seed);
  }

  /**
   * One epoch of this rank's batches over {@code shards}, the training caption of each sample
   * chosen from {@code curated} with the run's probability.
   */
  public BatchLoader loader(List<Path> shards, CaptionOverrides curated, long seed, int epoch, int rank, int worldSize) {
    return loader(shards, curated, seed, epoch, rank, worldSize, null);
  }

  /** {@link #loader} going on from {@code resumeFrom} (a position of the same epoch; null: its start). */
  public BatchLoader loader(List<Path> shards, CaptionOverrides curated, long seed, int epoch, int rank, int worldSize,
      DataPosition resumeFrom) {
    List<TarShard> tars = new ArrayList<>();
    shards.forEach(p -> tars.add(new TarShard(p)));
    LoaderOptions options = LoaderOptions.builder()
        .batchSize(Math.max(1, spec.batchSize() / worldSize))
        .imageSize(spec.imageSize())
        .threads(spec.loaderThreads())
        .augmentPolicy(spec.augment())
        .seed(seed)
        .epoch(epoch)
        .rank(rank, worldSize)
        .curatedCaptions(curated == null ? CaptionOverrides.none() : curated, curated == null ? 0 : spec.curatedProbability())
        .resumeFrom(resumeFrom)
        .build();
    return new BatchLoader(tars, options);
  }

  /** A loader batch as a trainer's host batch, captions tokenized. */
  public static ClipBatch clipBatch(Batch batch, TextTokenizer tokenizer) {
    NDArray images = batch.images();
    long[][] tokens = new long[batch.size()][];
    for (int i = 0; i < tokens.length; i++) {
      String c = batch.captions().get(i);
      tokens[i] = tokenizer.encode(c == null ? "" : c);
    }
    int h = (int) images.getShape().get(2);
    int w = (int) images.getShape().get(3);
    return new ClipBatch(images.toFloatArray(), h, w, tokens, batch.keys());
  }

  /** Parameter count of a block's parameters (all of them, trainable or not). */
  public static long parameterCount(ai.djl.nn.Block block) {
    long n = 0;
    for (Parameter p : block.getParameters().values()) {
      n += p.getArray().getShape().size();
    }
    return n;
  }
}
