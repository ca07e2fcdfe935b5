package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.worker.caption.ClipImageTextScorer;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.LoaderOptions;
import dev.recap.worker.data.TarShard;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import dev.recap.worker.train.Autograd;
import dev.recap.worker.train.ClipModel;
import dev.recap.worker.train.ClipRunFactory;
import dev.recap.worker.train.ClipRunSpec;
import dev.recap.worker.train.TrainedRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code evaluate} task: one dense evaluation of a pretrained image encoder
 * ({@link DenseEvaluator}: frozen linear probe or finetuning, segmentation or depth, a fraction of
 * the dense training split), or one retrieval evaluation of a CLIP run (R@1/5 image<->text on
 * held-out pairs against their quality captions), of the {@code trained-run} directory of a
 * pretrain task ({@link TrainedRun}) on {@code dense-folder}s (synth-data), {@code dense-index}es
 * (dense-data: a benchmark as published, images of any size, scored at the labels' resolution;
 * {@link DenseTaskData}) or held-out {@code pairs-shard}s.
 * Writes {@code result.json} (the {@code run-result}, see docs/results.md) and, for dense tasks,
 * prediction PNGs ({@code image}s).
 */
public final class EvaluateHandler implements TaskHandler<EvaluateTask> {

  /** The task type the {@code evaluate} planner emits. */
  public static final String TYPE = "evaluate";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<EvaluateTask> payloadType() {
    return EvaluateTask.class;
  }

  @Override
  public void execute(TaskContext<EvaluateTask> context) throws Exception {
    long started = System.nanoTime();
    EvaluateTask t = context.payload();
    Path pretrained = Path.of(t.getPretrained());
    ClipRunSpec spec = ClipRunSpec.fromJson(Files.readString(pretrained.resolve(ClipImageTextScorer.RUN_SPEC)));
    JsonObject pretrain = TrainedRun.description(pretrained);
    JsonObject config = new JsonObject(t.getConfig());
    ClipRunFactory factory = new ClipRunFactory(spec, context.extensions());
    Files.createDirectories(context.artifacts().directory());
    JsonObject result = new JsonObject().put("run", t.getRun()).put("encoder", pretrain.getString("encoder"))
        .put("captions", pretrain.getString("captions")).put("seed", t.getSeed()).put("protocol", t.getProtocol())
        .put("task", t.getTask()).put("fraction", t.getFraction()).put("parameters", pretrain.getLong("parameters"));
    // where along its training the evaluated model stood (models written before this was recorded have neither)
    if (pretrain.getValue("pairsSeen") instanceof Number pairs) {
      result.put("pairsSeen", pairs.longValue()).put("step", pretrain.getLong("step"));
    }
    if (pretrain.getBoolean("snapshot", false)) {
      result.put("snapshot", true);
    }
    if (t.getProtocol().equals("retrieval")) {
      retrieval(context, t, spec, factory, pretrained, result);
    } else {
      dense(context, t, spec, config, factory, pretrained, result);
    }
    result.put("wallSeconds", (System.nanoTime() - started) / 1e9);
    context.artifacts().writeResult(result.encodePrettily());
    context.progress(1.0, "done");
  }

  private static void dense(TaskContext<EvaluateTask> context, EvaluateTask t, ClipRunSpec spec, JsonObject config,
      ClipRunFactory factory, Path pretrained, JsonObject result) throws Exception {
    boolean segmentation = t.getTask().equals("segmentation");
    DenseTaskData data;
    try {
      data = DenseTaskData.open(Path.of(t.getData().get(0)), Path.of(t.getData().get(1)), t.getTask(), spec.imageSize());
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure(e.getMessage(), e);
    }
    DenseSplits splits = data.splits();
    DenseTask task = segmentation ? DenseTask.segmentation(splits.classNames().size()) : DenseTask.depth();
    boolean frozen = t.getProtocol().equals("frozen");
    DenseEvalConfig evalConfig = (frozen ? DenseEvalConfig.frozen() : DenseEvalConfig.finetune())
        .withInputSize(data.inputSize())
        .withFraction(t.getFraction()).withSeed(t.getSeed())
        .withEpochs(config.getInteger("epochs", 10)).withBatchSize(config.getInteger("batchSize", 16))
        .withHeadLearningRate(config.getDouble("headLearningRate", 1e-3))
        .withSavedPredictions(config.getInteger("predictions", 2))
        .withBootstrapResamples(config.getInteger("bootstrapResamples", TestSetBootstrap.DEFAULT_RESAMPLES));
    if (!frozen) {
      evalConfig = evalConfig.withEncoderLearningRate(config.getDouble("encoderLearningRate", 1e-4));
    }
    String headId = config.getString("head", "linear");
    DenseHead head = context.extensions().get(DenseHead.class, headId);
    PluginConfig headConfig = PluginConfig.of(config.getJsonObject("headConfig", new JsonObject()).getMap());
    context.progress(0.05, t.getProtocol() + " " + t.getTask() + " at " + t.getFraction() + ": " + splits.train().size()
        + " train images");
    Map<String, Object> towerOverrides = new java.util.HashMap<>();
    String features = config.getString("features");
    if (features != null) {
      ImageEncoder encoder = context.extensions().get(ImageEncoder.class, spec.imageEncoder());
      if (!encoder.denseModes().contains(features)) {
        throw new PermanentTaskFailure("evaluate option 'features' is '" + features + "' for run '" + t.getRun()
            + "', but its encoder '" + encoder.id() + "' offers " + (encoder.denseModes().isEmpty()
                ? "no choice of dense features" : encoder.denseModes())
            + "; name the features per encoder (e.g. features: {vit: blocks}) or leave the option out");
      }
      towerOverrides.put(ImageEncoder.DENSE, features);
      result.put("features", features);
    }
    DenseResult r;
    try (NDManager manager = NDManager.newBaseManager(context.device())) {
      ImageTower tower = factory.initializedImageTower(manager, t.getSeed(), towerOverrides);
      try (InputStream in = new BufferedInputStream(Files.newInputStream(pretrained.resolve(TrainedRun.ENCODER_PARAMETERS)))) {
        tower.block().loadParameters(manager, new DataInputStream(in));
      }
      r = new DenseEvaluator(evalConfig, context.device()).evaluate(tower, head, headConfig, task, splits,
          context.artifacts().directory());
    }
    JsonObject metrics = new JsonObject();
    r.metrics().forEach(metrics::put);
    result.put("head", headId).put("metrics", metrics).put("trainSamples", r.trainSamples()).put("testSamples", r.testSamples())
        .put("steps", r.steps()).put("seconds", r.seconds());
    JsonObject scoring = new JsonObject().put("resolution", "label").put("scoredPixels", r.scoredPixels())
        .put("testWindows", r.testWindows());
    if (r.inputSize() > 0) {
      scoring.put("inputSize", r.inputSize()).put("windows", "slide");
    } else {
      scoring.put("windows", "whole");
    }
    result.put("data", data.description()).put("scoring", scoring);
    if (r.bootstrapResamples() > 0) {
      JsonObject standardErrors = new JsonObject();
      r.standardErrors().forEach(standardErrors::put);
      result.put("bootstrap", new JsonObject().put("resamples", r.bootstrapResamples()).put("images", r.testSamples())
          .put("seed", TestSetBootstrap.SEED).put("standardErrors", standardErrors));
    }
    if (segmentation) {
      JsonObject perClass = new JsonObject();
      for (int i = 0; i < r.perClassIoU().size(); i++) {
        String name = i < r.classNames().size() ? r.classNames().get(i) : Integer.toString(i);
        double v = r.perClassIoU().get(i);
        perClass.put(name, Double.isNaN(v) ? null : v);
      }
      result.put("perClassIoU", perClass);
    }
    JsonArray images = new JsonArray();
    for (String png : r.predictionImages()) {
      // the evaluator draws into the task directory; writing through the store records each PNG
      // among the task's outputs, the only files the coordinator serves
      String name = Path.of(png).getFileName().toString();
      byte[] bytes = Files.readAllBytes(Path.of(png));
      context.artifacts().write(name, OutputKind.IMAGE, bytes);
      images.add(new JsonObject().put("kind", t.getTask()).put("file", name));
    }
    result.put("images", images);
    for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
      context.metric(t.getTask() + "/" + e.getKey(), e.getValue());
    }
  }

  private static void retrieval(TaskContext<EvaluateTask> context, EvaluateTask t, ClipRunSpec spec, ClipRunFactory factory,
      Path pretrained, JsonObject result) throws Exception {
    if (!spec.objective().equals("clip")) {
      throw new PermanentTaskFailure("run '" + t.getRun() + "' has objective " + spec.objective()
          + ": retrieval needs a clip run (a text tower)");
    }
    RetrievalMetrics m;
    try (NDManager manager = NDManager.newBaseManager(context.device())) {
      TextTokenizer tokenizer = factory.textEncoder().loadTokenizer(pretrained.resolve(ClipImageTextScorer.TOKENIZER));
      ClipModel model = factory.clipModel(manager, tokenizer, t.getSeed());
      try (InputStream in = new BufferedInputStream(Files.newInputStream(pretrained.resolve(ClipImageTextScorer.PARAMETERS)))) {
        model.restoreParameters(manager, new DataInputStream(in));
      }
      m = ClipRetrieval.measure(model, tokenizer, t.getData().stream().map(Path::of).toList(), spec.imageSize(), manager);
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure(e.getMessage());
    }
    JsonObject metrics = new JsonObject();
    m.metrics().forEach(metrics::put);
    metrics.put("r1", (m.imageToText().get(0) + m.textToImage().get(0)) / 2);
    metrics.put("r5", (m.imageToText().get(1) + m.textToImage().get(1)) / 2);
    metrics.put("pairs", m.texts());
    metrics.put("uniqueCaptions", m.uniqueTexts());
    result.put("metrics", metrics).put("images", new JsonArray());
    context.metric("retrieval/r1", metrics.getDouble("r1"));
    context.metric("retrieval/r5", metrics.getDouble("r5"));
  }
}
