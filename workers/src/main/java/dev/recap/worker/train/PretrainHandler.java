package dev.recap.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.bus.OutputKind;
import dev.recap.bus.task.PretrainTask;
import dev.recap.worker.caption.SidecarReader;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.CaptionOverrides;
import dev.recap.worker.data.DataPosition;
import dev.recap.worker.data.ShardIndex;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import dev.recap.bus.msg.DeclaredOutput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code pretrain} task: one (run x seed) on this worker alone ({@link Collective#single()}).
 *
 * <p>Objectives: {@code clip} (the run's curated captions joined from the sidecars through
 * {@link CaptionOverrides}, used with the run's probability, else the alt caption), {@code mae}
 * ({@link MaskedImageTrainer}) and {@code none} (the encoder initialized with the seed, saved
 * untrained). Outputs: the {@code trained-run} directory {@code model/} ({@link TrainedRun});
 * {@code loss.csv} (a {@code loss-curve}: {@code step,loss,logit_scale,lr,images_per_sec}) and
 * {@code result.json} (the {@code run-result}: protocol {@code pretrain}, parameter count of the
 * image encoder).
 *
 * <p>Resume, never restart: every {@code checkpointEvery} steps the trainer's whole state, the
 * loader's position and the loss lines so far go into a {@link Checkpoint} under
 * {@code checkpoints/} in the task's directory (named by the task id, so a retried attempt finds
 * them). An attempt starts from the newest checkpoint that verifies; a damaged one is skipped with
 * an event naming the file.
 */
public final class PretrainHandler implements TaskHandler<PretrainTask> {

  /** The task type the {@code pretrain} planner emits. */
  public static final String TYPE = "pretrain";

  /** Where a task keeps its checkpoints, under its artifact directory. */
  static final String CHECKPOINTS = "checkpoints";

  private static final String REPORTED = "reported-steps.txt";
  private static final String LOSS_HEADER = "step,loss,logit_scale,lr,images_per_sec";

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
    // a run that starts from a checkpoint takes its activation (QuickGELU) from the checkpoint's config
    ClipRunSpec spec = CheckpointFiles.forRun(ClipRunSpec.fromJson(t.getSpec()));
    ClipRunFactory factory = new ClipRunFactory(spec, context.extensions());
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    List<Path> shards = t.getShards().stream().map(Path::of).toList();
    long samples;
    try (ShardIndex index = ShardIndex.open(shards)) { // tar headers only
      samples = index.size();
    }
    long seed = t.getSeed();
    long totalSteps = factory.totalSteps(samples);
    Attempt attempt = new Attempt(context, factory, shards, seed, totalSteps, t.getCheckpointEvery(), dir.resolve(CHECKPOINTS));
    Snapshots snapshots = new Snapshots(context, spec, t.getRun(), samples, totalSteps, t.getSnapshots());
    long started = System.nanoTime();
    double finalLoss = Double.NaN;
    long parameters;
    Precision precision = null;
    try (NDManager manager = NDManager.newBaseManager(context.device())) {
      ImageTower tower;
      ClipModel clip = null;
      TextTokenizer clipTokenizer = null;
      switch (spec.objective()) {
        case "none" -> {
          tower = factory.initializedImageTower(manager, seed);
          initImageTower(context, factory, tower.block());
        }
        case "mae" -> {
          MaskedImageModel model = factory.maskedImageModel(manager, seed);
          initImageTower(context, factory, model.imageTower().block());
          MaskedImageTrainer trainer = factory.maskedImageTrainer(model, manager, totalSteps, seed, Collective.single());
          precision = trainer.precision();
          snapshots.model = step -> snapshots.write(step, model.imageTower().block(), null, null);
          finalLoss = attempt.train(trainer, manager, null, snapshots, batch -> {
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
          ClipModel model = factory.startingClipModel(manager, tokenizer, seed);
          if (spec.hasInit()) {
            context.event("run '" + t.getRun() + "' starts from the checkpoint " + spec.init());
          }
          ClipTrainer trainer = factory.clipTrainer(model, manager, totalSteps, Collective.single());
          precision = trainer.precision();
          snapshots.model = step -> snapshots.write(step, model.imageTower().block(), model, tokenizer);
          finalLoss = attempt.train(trainer, manager, CaptionOverrides.of(curated), snapshots,
              batch -> trainer.step(ClipRunFactory.clipBatch(batch, tokenizer)));
          clip = model;
          clipTokenizer = tokenizer;
          tower = model.imageTower();
        }
        default -> throw new PermanentTaskFailure("unknown objective '" + spec.objective() + "'");
      }
      Block block = tower.block();
      parameters = ClipRunFactory.parameterCount(block);
      long trainedSteps = spec.objective().equals("none") ? 0 : totalSteps;
      TrainedRun.write(context.artifacts(), spec, block, clip, clipTokenizer, description(t, spec, parameters)
          .put("step", trainedSteps).put("pairsSeen", snapshots.pairsSeen(trainedSteps)));
      snapshots.declareEarlier(attempt.resumedFrom);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    context.artifacts().write("loss.csv", OutputKind.LOSS_CURVE,
        (LOSS_HEADER + "\n" + attempt.lossLines).getBytes(StandardCharsets.UTF_8));
    JsonObject metrics = new JsonObject().put("seconds", seconds).put("steps", spec.objective().equals("none") ? 0 : totalSteps)
        .put("samples", samples);
    if (Double.isFinite(finalLoss)) {
      metrics.put("finalLoss", finalLoss);
    }
    if (attempt.resumedFrom > 0) {
      metrics.put("resumedFromStep", attempt.resumedFrom);
    }
    metrics.put("pairsSeen", snapshots.pairsSeen(spec.objective().equals("none") ? 0 : totalSteps));
    JsonObject result = new JsonObject().put("run", t.getRun())
        .put("encoder", encoderName(spec)).put("captions", captions(t, spec))
        .put("objective", spec.objective()).put("seed", seed).put("protocol", "pretrain").put("task", "pretrain")
        .put("parameters", parameters).put("wallSeconds", seconds).put("metrics", metrics);
    if (!spec.objective().equals("none")) {
      result.put("augment", spec.augment().describe());
    }
    if (precision != null) {
      result.put("precision", precision.label());
    }
    if (!snapshots.written.isEmpty()) {
      result.put("snapshots", new JsonArray(new ArrayList<>(snapshots.written.values())));
    }
    if (spec.hasInit()) {
      result.put("init", spec.init());
    }
    context.artifacts().writeResult(result.encodePrettily());
    context.progress(1.0, "done in " + Math.round(seconds) + " s");
  }

  /**
   * What {@code model.json} says of a run: {@code {run, encoder, captions, objective, seed,
   * parameters}}, and {@code init} (the checkpoint it started from) when it had one.
   */
  private static JsonObject description(PretrainTask t, ClipRunSpec spec, long parameters) {
    JsonObject d = new JsonObject().put("run", t.getRun()).put("encoder", encoderName(spec)).put("captions", captions(t, spec))
        .put("objective", spec.objective()).put("seed", t.getSeed()).put("parameters", parameters);
    return spec.hasInit() ? d.put("init", spec.init()) : d;
  }

  /** The image tower of a run without a text tower (mae, none) from the run's checkpoint, if it has one. */
  private static void initImageTower(TaskContext<PretrainTask> context, ClipRunFactory factory, Block tower) throws Exception {
    List<String> aside = factory.loadInitImageTower(tower);
    if (factory.spec().hasInit()) {
      context.event("run '" + context.payload().getRun() + "' starts its image tower from the checkpoint " + factory.spec().init()
          + (aside.isEmpty() ? "" : "; left aside " + aside.size() + " tensors of other parts (text tower, projections)"));
    }
  }

  /**
   * The copies of the model kept partway through training ({@code snapshots: n} keeps them at
   * 1/n ... (n-1)/n of the steps), each a {@code trained-run-snapshot} directory
   * {@code snapshot-step-NNNNNN} with the final model's layout; its description adds the step and
   * the training pairs seen. The result lists them ({@code snapshots: [{step, pairsSeen, path}]}),
   * which is how {@code evaluate} plans probes along the run. A retried attempt keeps the copies
   * an earlier attempt wrote before its checkpoint and declares them again.
   */
  private static final class Snapshots {
    private final TaskContext<PretrainTask> context;
    private final ClipRunSpec spec;
    private final String run;
    private final long samples;
    private final NavigableSet<Long> steps = new TreeSet<>();
    /** The snapshots kept, by step (a resumed attempt declares its predecessor's after training). */
    final NavigableMap<Long, JsonObject> written = new TreeMap<>();
    private final PretrainTask task;
    /** Writes the model as it is now; set once the model exists. */
    SnapshotWriter model;

    Snapshots(TaskContext<PretrainTask> context, ClipRunSpec spec, String run, long samples, long totalSteps, int n) {
      this.context = context;
      this.spec = spec;
      this.run = run;
      this.samples = samples;
      this.task = context.payload();
      for (int k = 1; k < n; k++) {
        long step = Math.round((double) totalSteps * k / n);
        if (step > 0 && step < totalSteps) {
          steps.add(step);
        }
      }
    }

    /**
     * Training pairs the model has seen after {@code step} steps: whole epochs of every sample,
     * then full batches of the current one (the last batch of an epoch may be short).
     */
    long pairsSeen(long step) {
      long perEpoch = Math.max(1, (samples + spec.batchSize() - 1) / spec.batchSize());
      long epochs = step / perEpoch;
      long rest = step % perEpoch;
      return epochs * samples + Math.min(samples, rest * spec.batchSize());
    }

    /** Called after every step: keeps a copy if {@code step} is one of the snapshot points. */
    void after(long step) throws IOException {
      if (model != null && steps.contains(step)) {
        model.write(step);
      }
    }

    void write(long step, Block imageTower, ClipModel clip, TextTokenizer tokenizer) throws IOException {
      long parameters = ClipRunFactory.parameterCount(imageTower);
      DeclaredOutput out = TrainedRun.writeAt(context.artifacts(), name(step), OutputKind.TRAINED_RUN_SNAPSHOT, spec, imageTower,
          clip, tokenizer, description(task, spec, parameters).put("step", step).put("pairsSeen", pairsSeen(step))
              .put("snapshot", true));
      note(step, out);
      context.event("kept a snapshot of run '" + run + "' at step " + step + " (" + pairsSeen(step) + " pairs seen)");
    }

    /** Declares again the snapshots an earlier attempt wrote at or before the checkpoint this one resumed from. */
    void declareEarlier(long resumedFrom) throws IOException {
      for (long step : steps.headSet(resumedFrom, true)) {
        Path dir = context.artifacts().directory().resolve(name(step));
        if (!Files.isDirectory(dir)) {
          throw new IOException("snapshot " + dir + " of step " + step + " is missing although training resumed after it"
              + " (from step " + resumedFrom + "); delete the task's checkpoints/ to retrain from the start");
        }
        note(step, context.artifacts().declareInPlace(name(step), OutputKind.TRAINED_RUN_SNAPSHOT));
      }
    }

    private void note(long step, DeclaredOutput out) {
      written.put(step, new JsonObject().put("step", step).put("pairsSeen", pairsSeen(step)).put("path", out.getPath()));
    }

    private static String name(long step) {
      return String.format(Locale.ROOT, "snapshot-step-%06d", step);
    }
  }

  /** Writes a snapshot of the model at a step. */
  private interface SnapshotWriter {
    void write(long step) throws IOException;
  }

  /** The encoder as results name it: plugin id and preset. */
  public static String encoderName(ClipRunSpec spec) {
    return spec.imageEncoder() + ":" + spec.imageConfig().getOrDefault("preset", "custom");
  }

  private static String captions(PretrainTask t, ClipRunSpec spec) {
    return spec.objective().equals("clip") ? t.getCaptions() : spec.objective();
  }

  /** One optimizer step on a loaded batch. */
  private interface Step {
    StepResult apply(Batch batch) throws Exception;
  }

  /**
   * One attempt at a run's training: resumes from the latest valid checkpoint a previous attempt
   * of the task left, trains the remaining steps, checkpoints every {@code checkpointEvery} steps.
   * The loss lines of the steps before the checkpoint come from it, so {@code loss.csv} has every
   * step once; metrics of steps an earlier attempt already reported are not sent again.
   */
  private static final class Attempt {
    private final TaskContext<PretrainTask> context;
    private final ClipRunFactory factory;
    private final List<Path> shards;
    private final long seed;
    private final long totalSteps;
    private final int checkpointEvery;
    private final Path checkpoints;
    /** {@code step,loss,logit_scale,lr,images_per_sec} lines of every step trained, in order. */
    final StringBuilder lossLines = new StringBuilder();
    long resumedFrom;

    Attempt(TaskContext<PretrainTask> context, ClipRunFactory factory, List<Path> shards, long seed, long totalSteps,
        int checkpointEvery, Path checkpoints) {
      this.context = context;
      this.factory = factory;
      this.shards = shards;
      this.seed = seed;
      this.totalSteps = totalSteps;
      this.checkpointEvery = checkpointEvery;
      this.checkpoints = checkpoints;
    }

    /** Epochs over the shards until {@code totalSteps}; returns the mean loss of the last 10 steps. */
    double train(Checkpointable trainer, NDManager manager, CaptionOverrides curated, Snapshots snapshots, Step step)
        throws Exception {
      DataPosition resumeAt = resume(trainer, manager);
      long reported = reportedSteps();
      int epoch = resumeAt == null ? 0 : resumeAt.epoch();
      while (trainer.step() < totalSteps) {
        if (context.isCancelled()) {
          throw new InterruptedException("lease revoked at step " + trainer.step());
        }
        boolean resumedEpoch = resumeAt != null;
        try (BatchLoader loader = factory.loader(shards, curated, seed, epoch, 0, 1, resumeAt);
            NDManager scope = NDManager.newBaseManager(context.device())) {
          resumeAt = null;
          long t0 = System.nanoTime();
          boolean any = false;
          for (Batch next = loader.next(scope); next != null; next = trainer.step() < totalSteps ? loader.next(scope) : null) {
            any = true;
            StepResult r;
            int size;
            DataPosition after;
            try (Batch batch = next) {
              size = batch.size();
              after = batch.position();
              r = step.apply(batch);
            }
            long t1 = System.nanoTime();
            double ips = size / Math.max(1e-9, (t1 - t0) / 1e9);
            t0 = t1;
            lossLines.append(r.step()).append(',').append(r.loss()).append(',').append(r.logitScale()).append(',')
                .append(r.learningRate()).append(',').append(String.format(Locale.ROOT, "%.2f", ips)).append('\n');
            if (r.step() >= reported) {
              report(r, ips);
            }
            long done = trainer.step();
            snapshots.after(done);
            if (checkpointEvery > 0 && done % checkpointEvery == 0 && done < totalSteps) {
              Checkpoint.save(checkpoints, trainer, new Checkpoint.DataPosition(after.emitted(), after.toBytes()),
                  lossLines.toString());
            }
            context.progress((double) done / totalSteps, "step " + done + "/" + totalSteps + " loss " + String.format("%.3f", r.loss()));
          }
          // a checkpoint taken at the end of an epoch resumes into an empty rest of it
          if (!any && !resumedEpoch) {
            throw new PermanentTaskFailure("the training shards " + shards + " yielded no batch (every sample skipped? see the loader's skip report)");
          }
        }
        epoch++;
      }
      return meanOfLastLosses(10);
    }

    /** Restores the latest valid checkpoint, if any; returns where its data stood (null: the start). */
    private DataPosition resume(Checkpointable trainer, NDManager manager) throws IOException {
      if (checkpointEvery <= 0) {
        return null;
      }
      Optional<Checkpoint> latest = Checkpoint.latestValid(checkpoints, context::event);
      if (latest.isEmpty()) {
        return null;
      }
      Checkpoint c = latest.get();
      c.restore(trainer, manager);
      lossLines.append(c.history());
      resumedFrom = c.step();
      context.event("resuming from checkpoint " + c.directory().getFileName() + " at step " + c.step() + " of " + totalSteps);
      return DataPosition.fromBytes(c.dataPosition().state());
    }

    /**
     * Notes the step in {@code reported-steps.txt} beside the checkpoints, then sends its metrics:
     * an attempt resuming from an older checkpoint does not send them again. Noted first because
     * metrics are at most once anyway (the event bus is best effort).
     */
    private void report(StepResult r, double ips) throws IOException {
      String s = Long.toString(r.step());
      if (checkpointEvery > 0) {
        Files.createDirectories(checkpoints);
        Files.writeString(checkpoints.resolve(REPORTED), s + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      context.metric("loss", r.loss(), Map.of("step", s));
      context.metric("lr", r.learningRate(), Map.of("step", s));
      context.metric("images_per_sec", ips, Map.of("step", s));
      if (!Double.isNaN(r.logitScale())) {
        context.metric("logit_scale", r.logitScale(), Map.of("step", s));
      }
    }

    /** One past the last step whose metrics an earlier attempt sent (0 if none did). */
    private long reportedSteps() throws IOException {
      Path file = checkpoints.resolve(REPORTED);
      if (checkpointEvery <= 0 || !Files.isRegularFile(file)) {
        return 0;
      }
      long next = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        try {
          next = Math.max(next, Long.parseLong(line.trim()) + 1);
        } catch (NumberFormatException e) {
          // a line torn by the kill of the attempt that wrote it
        }
      }
      return next;
    }

    private double meanOfLastLosses(int n) {
      String[] lines = lossLines.toString().split("\n");
      double sum = 0;
      int counted = 0;
      for (int i = lines.length - 1; i >= 0 && counted < n; i--) {
        if (!lines[i].isEmpty()) {
          sum += Double.parseDouble(lines[i].split(",")[1]);
          counted++;
        }
      }
      return counted == 0 ? Double.NaN : sum / counted;
    }
  }
}
