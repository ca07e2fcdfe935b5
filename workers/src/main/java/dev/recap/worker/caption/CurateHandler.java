package dev.recap.worker.caption;

import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Captioner;
import dev.recap.bus.task.CurateTask;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.WebDatasetReader;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code curate} task: captions one shard with one captioner ({@link CurationRun}) into the
 * Avro sidecar {@code captions.avro} in the task's directory (never rewriting the shard), and
 * writes the shard's statistics to {@code stats.json} and as metrics. No score filter yet: the
 * CLIP image-text scorer is not wired into this stage.
 */
public final class CurateHandler implements TaskHandler<CurateTask> {

  /** The task type the {@code curate} planner emits. */
  public static final String TYPE = "curate";

  /** The sidecar's file name in the task directory. */
  public static final String SIDECAR = "captions.avro";

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
    Captioner captioner = context.extensions().get(Captioner.class, t.getCaptioner());
    PluginConfig config = PluginConfig.of(new JsonObject(t.getConfig()).getMap());
    if (t.getState() != null) {
      config = config.with("state", t.getState());
    }
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    Path sidecar = dir.resolve(SIDECAR);
    SkipReport report = new SkipReport();
    long started = System.nanoTime();
    CurationStats stats;
    try (Captioner.Session session = captioner.open(captioner.resolve(config), context.seed(), context.extensions())) {
      stats = CurationRun.builder(session, captioner).batchSize(t.getBatchSize()).build()
          .run(new WebDatasetReader(Path.of(t.getShard()), report, false), sidecar);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    context.metric("captionsWritten", stats.captionsWritten());
    context.metric("withoutCaption", stats.withoutCaption());
    context.metric("meanLength", stats.meanLength());
    context.metric("vocabulary", stats.vocabularySize());
    context.metric("captionsPerSecond", stats.samples() / Math.max(1e-9, seconds));
    JsonObject json = new JsonObject().put("captioner", t.getCaptioner()).put("version", captioner.version())
        .put("shard", t.getShard()).put("sidecar", sidecar.toString()).put("samples", stats.samples())
        .put("captionsWritten", stats.captionsWritten()).put("filteredOut", stats.filteredOut())
        .put("withoutCaption", stats.withoutCaption()).put("meanLength", stats.meanLength())
        .put("vocabulary", stats.vocabularySize()).put("seconds", seconds);
    context.artifacts().write("stats.json", json.encodePrettily().getBytes(StandardCharsets.UTF_8));
    context.progress(1.0, stats.toString());
  }
}
