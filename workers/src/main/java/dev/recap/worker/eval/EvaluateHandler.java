package dev.recap.worker.eval;

import ai.djl.ndarray.NDManager;
import dev.recap.api.PluginConfig;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import dev.recap.bus.OutputKind;
import dev.recap.bus.task.EvaluateTask;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import dev.recap.worker.train.ClipRunFactory;
import dev.recap.worker.train.ClipRunSpec;
import dev.recap.worker.train.TrainedRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** The protocol (and task) of a zero-shot classification task. */
  static final String ZERO_SHOT = "zeroshot";

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
    JsonObject config = new JsonObject(t.getConfig());
    EvaluatedModel model = EvaluatedModel.of(t.getRun(), Path.of(t.getPretrained()), config, context.extensions());
    ClipRunSpec spec = model.spec();
    JsonObject pretrain = model.description();
    ClipRunFactory factory = model.factory();
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
    // an external checkpoint, or the one a run started from
    for (String key : List.of("objective", "checkpoint", "init")) {
      if (pretrain.getValue(key) instanceof String v) {
        result.put(key, v);
      }
    }
    switch (t.getProtocol()) {
      case "retrieval" -> retrieval(context, t, model, result);
      case ZERO_SHOT -> zeroShot(context, t, config, model, result);
      default -> dense(context, t, spec, config, factory, model, result);
    }
    result.put("wallSeconds", (System.nanoTime() - started) / 1e9);
    context.artifacts().writeResult(result.encodePrettily());
    context.progress(1.0, "done");
  }

  private static void dense(TaskContext<EvaluateTask> context, EvaluateTask t, ClipRunSpec spec, JsonObject config,
      ClipRunFactory factory, EvaluatedModel model, JsonObject result) throws Exception {
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
    DenseEvalConfig base = frozen ? DenseEvalConfig.frozen() : DenseEvalConfig.finetune();
    DenseEvalConfig evalConfig = base
        .withInputSize(data.inputSize())
        .withFraction(t.getFraction()).withSeed(t.getSeed())
        .withEpochs(config.getInteger("epochs", base.epochs())).withSteps(config.getInteger("steps", 0))
        .withBatchSize(config.getInteger("batchSize", base.batchSize()))
        .withHeadLearningRate(config.getDouble("headLearningRate", base.headLearningRate()))
        .withSavedPredictions(config.getInteger("predictions", 2))
        .withBootstrapResamples(config.getInteger("bootstrapResamples", TestSetBootstrap.DEFAULT_RESAMPLES));
    if (!frozen) {
      evalConfig = evalConfig.withEncoderLearningRate(config.getDouble("encoderLearningRate", base.encoderLearningRate()));
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
      ImageTower tower = model.imageTower(manager, t.getSeed(), towerOverrides);
      r = new DenseEvaluator(evalConfig, context.device()).evaluate(tower, head, headConfig, task, splits,
          context.artifacts().directory());
    }
    JsonObject metrics = new JsonObject();
    r.metrics().forEach(metrics::put);
    result.put("head", headId).put("metrics", metrics).put("trainSamples", r.trainSamples()).put("testSamples", r.testSamples())
        .put("steps", r.steps()).put("seconds", r.seconds());
    // where a probe's time goes (encoder pass over the training split, head training, scoring): what
    // recap assess sizes its dense probes from
    JsonObject phases = new JsonObject();
    r.timings().forEach(phases::put);
    result.put("phaseSeconds", phases);
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

  private static void retrieval(TaskContext<EvaluateTask> context, EvaluateTask t, EvaluatedModel model, JsonObject result)
      throws Exception {
    RetrievalMetrics m;
    try (NDManager manager = NDManager.newBaseManager(context.device())) {
      TrainedRun.TrainedClip clip = model.clip(manager, t.getSeed());
      m = ClipRetrieval.measure(clip.model(), clip.tokenizer(), t.getData().stream().map(Path::of).toList(),
          model.spec().imageSize(), manager);
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

  /**
   * Zero-shot classification ({@link ZeroShotEvaluation}) of the dense test split: the task's
   * config names the {@code classes} (default: the set's class names) and {@code templates}.
   */
  private static void zeroShot(TaskContext<EvaluateTask> context, EvaluateTask t, JsonObject config, EvaluatedModel model,
      JsonObject result) throws Exception {
    DenseSplits splits;
    try {
      splits = DenseTaskData.open(Path.of(t.getData().get(0)), Path.of(t.getData().get(1)), "segmentation",
          model.spec().imageSize()).splits();
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure("zero-shot of run '" + t.getRun() + "': " + e.getMessage(), e);
    }
    List<Sample> test = splits.test();
    List<String> datasetClasses = splits.classNames();
    List<String> classes = strings(config, "classes", datasetClasses);
    List<String> templates = strings(config, "templates", ZeroShotEvaluation.DEFAULT_TEMPLATES);
    ZeroShotEvaluation z;
    try (NDManager manager = NDManager.newBaseManager(context.device())) {
      TrainedRun.TrainedClip clip = model.clip(manager, t.getSeed());
      z = ZeroShotEvaluation.measure(clip.model(), clip.tokenizer(), model.spec().imageSize(), test, datasetClasses, classes,
          templates, manager);
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure("zero-shot of run '" + t.getRun() + "': " + e.getMessage());
    }
    JsonObject metrics = new JsonObject();
    z.metrics().forEach(metrics::put);
    JsonObject counts = new JsonObject();
    for (int i = 0; i < classes.size(); i++) {
      counts.put(classes.get(i), z.labelCounts().get(i));
    }
    result.put("metrics", metrics).put("images", new JsonArray()).put("testSamples", z.images())
        .put("zeroShot", new JsonObject().put("classes", new JsonArray(classes)).put("templates", new JsonArray(templates))
            .put("label", "the listed class covering most pixels").put("imagesPerClass", counts)
            .put("skippedImages", z.skipped()).put("majorityClassShare", z.majority()));
    context.metric("zeroshot/top1", z.top1());
  }

  private static List<String> strings(JsonObject config, String key, List<String> dflt) {
    JsonArray a = config.getJsonArray(key);
    if (a == null) {
      return dflt;
    }
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(String.valueOf(v)));
    return out;
  }
}
