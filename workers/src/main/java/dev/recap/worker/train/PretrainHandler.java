package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.bus.task.PretrainTask;
import dev.recap.worker.caption.SidecarReader;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.CaptionOverrides;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonObject;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code pretrain} task: one (run x seed) on this worker alone ({@link Collective#single()}).
 *
 * <p>Objectives: {@code clip} (the run's curated captions joined from the sidecars through
 * {@link CaptionOverrides}, used with the run's probability, else the alt caption), {@code mae}
 * ({@link MaskedImageTrainer}) and {@code none} (the encoder initialized with the seed, saved
 * untrained). Outputs: {@code encoder.params} (the image tower's DJL parameters, for every
 * objective), for clip also {@code clip.params} and {@code tokenizer/}; {@code loss.csv}
 * ({@code step,loss,logit_scale,lr,images_per_sec}); {@code run.json} (the run spec) and
 * {@code result.json} (protocol {@code pretrain}, parameter count of the image encoder).
 */
public final class PretrainHandler implements TaskHandler<PretrainTask> {

  /** The task type the {@code pretrain} planner emits. */
  public static final String TYPE = "pretrain";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<PretrainTask> payloadType() {
    return PretrainTask.class;
  }

  @Override
  public void execute(TaskContext<PretrainTask> context) throws Exception {
    PretrainTask t = context.payload();
    ClipRunSpec spec = ClipRunSpec.fromJson(t.getSpec());
    ClipRunFactory factory = new ClipRunFactory(spec, context.extensions());
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    List<Path> shards = t.getShards().stream().map(Path::of).toList();
    long samples = 0;
    for (Path shard : shards) {
      Path manifest = shard.resolveSibling("shard.json");
      samples += Files.exists(manifest) ? new JsonObject(Files.readString(manifest)).getLong("count") : 0;
    }
    long seed = t.getSeed();
    long totalSteps = factory.totalSteps(samples);
    StringBuilder csv = new StringBuilder("step,loss,logit_scale,lr,images_per_sec\n");
    long started = System.nanoTime();
    double finalLoss = Double.NaN;
    long parameters;
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageTower tower;
      switch (spec.objective()) {
        case "none" -> tower = factory.initializedImageTower(manager, seed);
        case "mae" -> {
          MaskedImageModel model = factory.maskedImageModel(manager, seed);
          MaskedImageTrainer trainer = factory.maskedImageTrainer(model, manager, totalSteps, seed, Collective.single());
          finalLoss = train(context, factory, shards, null, seed, totalSteps, csv, (batch, sub) -> {
            int h = (int) batch.images().getShape().get(2);
            int w = (int) batch.images().getShape().get(3);
            return trainer.step(batch.images().toFloatArray(), batch.size(), h, w, 0);
          });
          tower = model.imageTower();
        }
        case "clip" -> {
          Map<String, String> curated = new HashMap<>();
          for (String sidecar : t.getSidecars()) {
            for (CaptionSidecarRecord r : SidecarReader.readAll(Path.of(sidecar))) {
              curated.put(r.getKey(), r.getCaption());
            }
          }
          if (curated.isEmpty()) {
            throw new PermanentTaskFailure("run '" + t.getRun() + "': no curated captions of source '" + t.getCaptions()
                + "' in " + t.getSidecars() + "; did the curate stage run that captioner?");
          }
          TextTokenizer tokenizer = factory.tokenizer(new ArrayList<>(curated.values()));
          ClipModel model = factory.clipModel(manager, tokenizer, seed);
          ClipTrainer trainer = factory.clipTrainer(model, manager, totalSteps, Collective.single());
          finalLoss = train(context, factory, shards, CaptionOverrides.of(curated), seed, totalSteps, csv,
              (batch, sub) -> trainer.step(ClipRunFactory.clipBatch(batch, tokenizer)));
          context.artifacts().write("clip.params", out -> model.saveParameters(new DataOutputStream(out)));
          Path tokenizerDir = dir.resolve("tokenizer");
          Files.createDirectories(tokenizerDir);
          tokenizer.save(tokenizerDir);
          tower = model.imageTower();
        }
        default -> throw new PermanentTaskFailure("unknown objective '" + spec.objective() + "'");
      }
      Block block = tower.block();
      parameters = ClipRunFactory.parameterCount(block);
      context.artifacts().write("encoder.params", out -> block.saveParameters(new DataOutputStream(out)));
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    context.artifacts().write("loss.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    context.artifacts().write("run.json", spec.toJson().getBytes(StandardCharsets.UTF_8));
    JsonObject metrics = new JsonObject().put("seconds", seconds).put("steps", spec.objective().equals("none") ? 0 : totalSteps)
        .put("samples", samples);
    if (Double.isFinite(finalLoss)) {
      metrics.put("finalLoss", finalLoss);
    }
    JsonObject result = new JsonObject().put("run", t.getRun())
        .put("encoder", spec.imageEncoder() + ":" + spec.imageConfig().getOrDefault("preset", "custom"))
        .put("captions", spec.objective().equals("clip") ? t.getCaptions() : spec.objective())
        .put("objective", spec.objective()).put("seed", seed).put("protocol", "pretrain").put("task", "pretrain")
        .put("parameters", parameters).put("wallSeconds", seconds).put("metrics", metrics);
    if (!spec.objective().equals("none")) {
      result.put("augment", spec.augment().describe());
    }
    context.artifacts().write("result.json", result.encodePrettily().getBytes(StandardCharsets.UTF_8));
    context.progress(1.0, "done in " + Math.round(seconds) + " s");
  }

  /** One optimizer step on a loaded batch. */
  private interface Step {
    StepResult apply(Batch batch, NDManager scope) throws Exception;
  }

  /** Epochs over the shards until {@code totalSteps}; returns the mean loss of the last 10 steps. */
  private static double train(TaskContext<PretrainTask> context, ClipRunFactory factory, List<Path> shards,
      CaptionOverrides curated, long seed, long totalSteps, StringBuilder csv, Step step) throws Exception {
    long done = 0;
    double[] recent = new double[10];
    int epoch = 0;
    while (done < totalSteps) {
      if (context.isCancelled()) {
        throw new InterruptedException("lease revoked at step " + done);
      }
      try (BatchLoader loader = factory.loader(shards, curated, seed, epoch, 0, 1);
          NDManager scope = NDManager.newBaseManager()) {
        long t0 = System.nanoTime();
        boolean any = false;
        for (Batch next = loader.next(scope); next != null; next = done < totalSteps ? loader.next(scope) : null) {
          any = true;
          StepResult r;
          int size;
          try (Batch batch = next) {
            size = batch.size();
            r = step.apply(batch, scope);
          }
          long t1 = System.nanoTime();
          double ips = size / Math.max(1e-9, (t1 - t0) / 1e9);
          t0 = t1;
          String s = Long.toString(r.step());
          csv.append(r.step()).append(',').append(r.loss()).append(',').append(r.logitScale()).append(',')
              .append(r.learningRate()).append(',').append(String.format(java.util.Locale.ROOT, "%.2f", ips)).append('\n');
          context.metric("loss", r.loss(), Map.of("step", s));
          context.metric("lr", r.learningRate(), Map.of("step", s));
          context.metric("images_per_sec", ips, Map.of("step", s));
          if (!Double.isNaN(r.logitScale())) {
            context.metric("logit_scale", r.logitScale(), Map.of("step", s));
          }
          recent[(int) (done % recent.length)] = r.loss();
          done++;
          context.progress((double) done / totalSteps, "step " + done + "/" + totalSteps + " loss " + String.format("%.3f", r.loss()));
        }
        if (!any) {
          throw new PermanentTaskFailure("the training shards " + shards + " yielded no batch (every sample skipped? see the loader's skip report)");
        }
      }
      epoch++;
    }
    int n = (int) Math.min(done, recent.length);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += recent[i];
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}
