package dev.recap.worker.caption;

import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.Sample;
import dev.recap.bus.OutputKind;
import dev.recap.bus.task.CurateTask;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.WebDatasetReader;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code curate} task: captions one shard with one captioner ({@link CurationRun}) into the
 * Avro sidecar {@code captions.avro} in the task's directory (never rewriting the shard; declared
 * as {@code curated-captions}), and writes the shard's statistics to {@code stats.json} (a
 * {@code log}) and as metrics.
 *
 * <p>When the task names a scorer (a clip pretrain task's artifact directory), every caption is
 * scored with that CLIP ({@link ClipImageTextScorer}, built once per task) and the score stored in
 * the sidecar; a top-fraction or threshold filter then drops captions of this shard, and the
 * dropped ones go, with their scores, to {@code filtered-out.avro} ({@code filtered-captions}). A scorer that cannot be
 * loaded fails the task permanently: retrying would meet the same files.
 */
public final class CurateHandler implements TaskHandler<CurateTask> {

  /** The task type the {@code curate} planner emits. */
  public static final String TYPE = "curate";

  /** The sidecar's file name in the task directory. */
  public static final String SIDECAR = "captions.avro";

  /** The captions the score filter dropped, with their scores (same format as the sidecar). */
  public static final String FILTERED_OUT = "filtered-out.avro";

  /** The source that captions nothing itself: it passes on each pair's stored (reference) caption. */
  public static final String STORED = "stored";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<CurateTask> payloadType() {
    return CurateTask.class;
  }

  @Override
  public void execute(TaskContext<CurateTask> context) throws Exception {
    CurateTask t = context.payload();
    Captioner captioner = t.getCaptioner().equals(STORED) ? StoredCaptions.INSTANCE
        : context.extensions().get(Captioner.class, t.getCaptioner());
    PluginConfig config = PluginConfig.of(new JsonObject(t.getConfig()).getMap());
    if (t.getState() != null) {
      config = config.with("state", t.getState());
    }
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    Path sidecar = dir.resolve(SIDECAR);
    SkipReport report = new SkipReport();
    long started = System.nanoTime();
    ScoreFilter filter = filter(t);
    CurationStats stats;
    try (ClipImageTextScorer scorer = scorer(t, context);
        Captioner.Session session = captioner.open(captioner.resolve(config), context.seed(), context.extensions())) {
      CurationRun.Builder run = CurationRun.builder(session, captioner).batchSize(t.getBatchSize());
      if (captioner == StoredCaptions.INSTANCE) {
        run.sourceCaption(Sample.QUALITY); // the caption the data stage stored from the pair's referenceCaption
      }
      if (scorer != null) {
        run.scorer(scorer);
      }
      if (filter != null) {
        run.filter(filter);
      }
      stats = run.build().run(new WebDatasetReader(Path.of(t.getShard()), report, false), sidecar, dir.resolve(FILTERED_OUT));
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    context.metric("captionsWritten", stats.captionsWritten());
    context.metric("withoutCaption", stats.withoutCaption());
    context.metric("filteredOut", stats.filteredOut());
    context.metric("meanLength", stats.meanLength());
    context.metric("vocabulary", stats.vocabularySize());
    context.metric("captionsPerSecond", stats.samples() / Math.max(1e-9, seconds));
    if (stats.scored() > 0) {
      context.metric("meanScore", stats.meanScore());
      context.metric("meanKeptScore", stats.meanKeptScore());
    }
    JsonObject json = new JsonObject().put("captioner", t.getCaptioner()).put("version", captioner.version())
        .put("shard", t.getShard()).put("sidecar", sidecar.toString()).put("samples", stats.samples())
        .put("captionsWritten", stats.captionsWritten()).put("filteredOut", stats.filteredOut())
        .put("withoutCaption", stats.withoutCaption()).put("meanLength", stats.meanLength())
        .put("vocabulary", stats.vocabularySize()).put("seconds", seconds);
    if (stats.scored() > 0) {
      json.put("scorer", t.getScorer()).put("filter", filter == null ? null : filter.toString()).put("scored", stats.scored())
          .put("meanScore", finiteOrNull(stats.meanScore())).put("meanKeptScore", finiteOrNull(stats.meanKeptScore()));
    }
    // the sidecar writers rename their own temporary files into place
    context.artifacts().declareInPlace(SIDECAR, OutputKind.CURATED_CAPTIONS);
    if (Files.exists(dir.resolve(FILTERED_OUT))) {
      context.artifacts().declareInPlace(FILTERED_OUT, OutputKind.FILTERED_CAPTIONS);
    }
    context.artifacts().write("stats.json", OutputKind.LOG, json.encodePrettily().getBytes(StandardCharsets.UTF_8));
    context.progress(1.0, stats.toString());
  }

  private static ScoreFilter filter(CurateTask t) throws PermanentTaskFailure {
    if (t.getTopFraction() != null && t.getThreshold() != null) {
      throw new PermanentTaskFailure("curate task of shard " + t.getShard() + " sets both topFraction and threshold; set one");
    }
    if ((t.getTopFraction() != null || t.getThreshold() != null) && t.getScorer() == null) {
      throw new PermanentTaskFailure("curate task of shard " + t.getShard() + " has a score filter but no scorer");
    }
    try {
      return t.getTopFraction() != null ? ScoreFilter.topFraction(t.getTopFraction())
          : t.getThreshold() != null ? ScoreFilter.threshold(t.getThreshold()) : null;
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure(e.getMessage(), e);
    }
  }

  private static ClipImageTextScorer scorer(CurateTask t, TaskContext<CurateTask> context) throws PermanentTaskFailure {
    if (t.getScorer() == null) {
      return null;
    }
    try {
      return ClipImageTextScorer.load(Path.of(t.getScorer()), context.extensions(), t.getBatchSize());
    } catch (IOException | IllegalArgumentException e) {
      throw new PermanentTaskFailure(e.getMessage(), e);
    }
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
