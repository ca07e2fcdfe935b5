package dev.recap.worker.caption;

import dev.recap.api.PluginConfig;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.Sample;
import dev.recap.bus.OutputKind;
import dev.recap.bus.task.TrainCaptionerTask;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.WebDatasetReader;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code train-captioner} task: trains a trainable captioner on the reference shards, the
 * reference caption of each sample being its {@code referenceCaption} source (the quality
 * caption), and saves the state to the directory {@code state/} (a {@code captioner-state});
 * {@code captioner.json} (a {@code manifest}) names it.
 */
public final class TrainCaptionerHandler implements TaskHandler<TrainCaptionerTask> {

  /** The task type the {@code train-captioner} planner emits. */
  public static final String TYPE = "train-captioner";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<TrainCaptionerTask> payloadType() {
    return TrainCaptionerTask.class;
  }

  @Override
  public void execute(TaskContext<TrainCaptionerTask> context) throws Exception {
    TrainCaptionerTask t = context.payload();
    Captioner captioner = context.extensions().get(Captioner.class, t.getCaptioner());
    if (!captioner.trainable()) {
      throw new PermanentTaskFailure("captioner '" + t.getCaptioner() + "' is not trainable; train-captioner needs one that is (e.g. learned)");
    }
    List<CaptionRequest> references = new ArrayList<>();
    SkipReport report = new SkipReport();
    for (String shard : t.getReferenceShards()) {
      for (Sample s : new WebDatasetReader(Path.of(shard), report, false)) {
        String ref = s.captions().get(t.getReferenceCaption());
        if (ref != null && !ref.isBlank()) {
          references.add(new CaptionRequest(s.key(), s.image(), ref, s.objects()));
        }
      }
    }
    if (references.isEmpty()) {
      throw new PermanentTaskFailure("no reference captions of source '" + t.getReferenceCaption() + "' in "
          + t.getReferenceShards() + "; the reference shards must carry them in key.json");
    }
    context.progress(0.05, "training " + t.getCaptioner() + " on " + references.size() + " references");
    PluginConfig config = captioner.resolve(PluginConfig.of(new JsonObject(t.getConfig()).getMap()));
    long started = System.nanoTime();
    String state;
    try (Captioner.Session session = captioner.open(config, context.seed(), context.extensions())) {
      // per step, as the pretrain task reports: the console's loss chart and the stage's ETA
      session.train(references, (step, steps, loss) -> {
        if (Double.isFinite(loss)) {
          context.metric("loss", loss, Map.of("step", String.valueOf(step)));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        context.progress(0.05 + 0.9 * step / steps, String.format(Locale.ROOT, "step %d/%d, loss %.3f, %.1f steps/s",
            step, steps, loss, step / seconds));
      });
      state = context.artifacts().writeAt("state", OutputKind.CAPTIONER_STATE, dir -> {
        Files.createDirectories(dir);
        session.save(dir);
      }).getPath();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    context.metric("references", references.size());
    context.metric("trainSeconds", seconds);
    JsonObject manifest = new JsonObject().put("captioner", t.getCaptioner()).put("version", captioner.version())
        .put("config", new JsonObject(t.getConfig())).put("references", references.size())
        .put("referenceShards", new JsonArray(new ArrayList<>(t.getReferenceShards())))
        .put("state", state).put("trainSeconds", seconds);
    context.artifacts().write("captioner.json", OutputKind.MANIFEST, manifest.encodePrettily().getBytes(StandardCharsets.UTF_8));
    context.progress(1.0, "done");
  }
}
