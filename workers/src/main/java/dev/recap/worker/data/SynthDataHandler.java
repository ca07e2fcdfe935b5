package dev.recap.worker.data;

import dev.recap.api.PluginConfig;
import dev.recap.api.data.Sample;
import dev.recap.api.data.SampleSource;
import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.SynthDataTask;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * The {@code synth-data} task: materializes samples {@code [from, to)} of a {@link SampleSource}.
 *
 * <ul>
 *   <li>{@code pairs}, {@code reference}, {@code heldout}: one WebDataset shard {@code shard.tar}
 *       (a {@code pairs-shard}: image, alt caption as {@code key.txt}, every caption and the
 *       objects in {@code key.json}; no dense targets) and {@code shard.json} (a {@code manifest}:
 *       {@code {part, from, to, count, shard}}).
 *   <li>{@code dense}: the directory {@code dense/} (a {@code dense-folder}): an ADE20k-style
 *       folder {@code seg/} and an NYUv2-style folder {@code depth/} of the same images, and
 *       {@code dense.json} {@code {count, from, to, classNames}}.
 * </ul>
 * Each output is written whole under a temporary name and declared when renamed into place.
 */
public final class SynthDataHandler implements TaskHandler<SynthDataTask> {

  /** The task type the {@code synth-data} planner emits. */
  public static final String TYPE = "synth-data";

  /** The dense part's directory. */
  static final String DENSE_FOLDER = "dense";

  /** The class names and index range of a dense folder, inside it. */
  public static final String DENSE_MANIFEST = "dense.json";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<SynthDataTask> payloadType() {
    return SynthDataTask.class;
  }

  @Override
  public void execute(TaskContext<SynthDataTask> context) throws Exception {
    SynthDataTask t = context.payload();
    SampleSource source = context.extensions().get(SampleSource.class, t.getSource());
    PluginConfig config = PluginConfig.of(new JsonObject(t.getSourceConfig()).getMap());
    SampleSource.Generator generator = source.open(source.resolve(config), t.getDataSeed());
    long n = t.getTo() - t.getFrom();
    if (t.getPart().equals("dense")) {
      context.artifacts().writeAt(DENSE_FOLDER, OutputKind.DENSE_FOLDER, dense -> {
        Files.createDirectories(dense);
        DatasetWriter.writeDenseFolder(generator, t.getFrom(), t.getTo(), dense.resolve("seg"), DenseFolderLayout.ADE20K,
            ImageFormat.PNG);
        context.progress(0.5, "segmentation folder written");
        DatasetWriter.writeDenseFolder(generator, t.getFrom(), t.getTo(), dense.resolve("depth"), DenseFolderLayout.NYUV2,
            ImageFormat.PNG);
        JsonObject manifest = new JsonObject().put("count", n).put("from", t.getFrom()).put("to", t.getTo())
            .put("classNames", new JsonArray(generator.classNames()));
        Files.writeString(dense.resolve(DENSE_MANIFEST), manifest.encodePrettily());
      });
    } else {
      DeclaredOutput shard = context.artifacts().writeAt("shard.tar", OutputKind.PAIRS_SHARD, target -> {
        WebDatasetWriter writer = new WebDatasetWriter(target, ImageFormat.PNG);
        try {
          for (long i = t.getFrom(); i < t.getTo(); i++) {
            Sample s = generator.sample(i);
            // pairs carry no dense targets: they train CLIP, the dense splits are separate
            writer.write(new Sample(s.key(), s.image(), s.captions(), s.objects(), null, null));
            if ((i - t.getFrom()) % 64 == 0) {
              context.progress((double) (i - t.getFrom()) / n, "writing " + t.getPart() + " shard");
            }
          }
          writer.close();
        } catch (IOException | RuntimeException e) {
          writer.abort();
          throw e;
        }
      });
      JsonObject manifest = new JsonObject().put("part", t.getPart()).put("from", t.getFrom()).put("to", t.getTo())
          .put("count", n).put("shard", shard.getPath());
      context.artifacts().write("shard.json", OutputKind.MANIFEST, manifest.encodePrettily().getBytes(StandardCharsets.UTF_8));
    }
    context.metric("samples", n);
    context.progress(1.0, "done");
  }
}
