package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import dev.recap.bus.BenchmarkListing;
import dev.recap.bus.DenseFormat;
import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.DenseDataTask;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code dense-data} task: indexes one split of a dense benchmark where it lies
 * ({@link BenchmarkListing}), reading every image and label once to check it, and declares the
 * index as a {@code dense-index} ({@link DenseIndex}). A pair that cannot be used (an unreadable
 * image, a missing or unreadable label, a depth PNG that is not 16-bit, a label of another size
 * than its image) is skipped with its reason: counted in the index's {@code dense.json} and in the
 * task's result ({@code data-summary}: pairs listed, checked, kept, skipped by reason, image
 * sizes), logged, and reported as a job event. Nothing is copied.
 */
public final class DenseDataHandler implements TaskHandler<DenseDataTask> {

  /** The task type the {@code dense-data} planner emits. */
  public static final String TYPE = "dense-data";

  /** The index directory, the task's one output. */
  static final String INDEX = "index";

  /** Skipped files listed by name in the manifest and as job events; the rest are only counted. */
  static final int SKIPS_NAMED = 50;

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<DenseDataTask> payloadType() {
    return DenseDataTask.class;
  }

  @Override
  public void execute(TaskContext<DenseDataTask> context) throws Exception {
    long started = System.nanoTime();
    DenseDataTask t = context.payload();
    DenseFormat format;
    try {
      format = DenseFormat.ofWireName(t.getFormat());
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure("dense-data task " + context.taskId() + ": " + e.getMessage());
    }
    Path root = Path.of(t.getRoot());
    if (!Files.isDirectory(root)) {
      throw new PermanentTaskFailure("dense-data root " + root + " is not a folder this worker can see; the workers need the"
          + " benchmark at the same path as the coordinator (a shared file system)");
    }
    List<String> missing = format.missingFolders(root);
    if (!missing.isEmpty()) {
      throw new PermanentTaskFailure("dense-data root " + root + " is not in the " + format + " layout: missing " + missing);
    }
    List<BenchmarkListing.Candidate> listed = BenchmarkListing.list(format, root, t.getSplit());
    if (listed.isEmpty()) {
      throw new PermanentTaskFailure("no images in " + root.resolve(format.imageFolder(t.getSplit())) + " (the " + t.getSplit()
          + " split of the " + format + " layout)");
    }
    List<BenchmarkListing.Candidate> picked = BenchmarkListing.evenly(listed, t.getLimit());
    SkipReport report = new SkipReport();
    JsonArray skippedFiles = new JsonArray();
    List<DenseIndex.Entry> entries = new ArrayList<>();
    for (int i = 0; i < picked.size(); i++) {
      BenchmarkListing.Candidate c = picked.get(i);
      try {
        Sample s = DenseIndex.load(format, root, c.key(), c.image(), c.target());
        entries.add(new DenseIndex.Entry(c.key(), c.image(), c.target(), s.image().width(), s.image().height()));
      } catch (BadSampleException e) {
        report.skip(format + "/" + t.getSplit(), c.key(), e.reason(), e.getMessage());
        if (skippedFiles.size() < SKIPS_NAMED) {
          skippedFiles.add(new JsonObject().put("key", c.key()).put("image", c.image()).put("reason", e.reason().name())
              .put("detail", e.getMessage()));
          context.event("skipped sample " + c.key() + ": " + e.reason() + " (" + e.getMessage() + ")");
        }
      }
      if (i % 64 == 0) {
        if (context.isCancelled()) {
          throw new InterruptedException("indexing " + format + " " + t.getSplit() + " cancelled after " + i + " of "
              + picked.size() + " pairs");
        }
        context.progress((double) i / picked.size(), "checking " + format + " " + t.getSplit() + " pairs");
      }
    }
    if (entries.isEmpty()) {
      throw new PermanentTaskFailure("none of the " + picked.size() + " " + t.getSplit() + " pairs under " + root
          + " is usable; skipped by reason: " + report.counts() + ", e.g. " + skippedFiles.getValue(0));
    }
    JsonObject skipped = new JsonObject();
    for (Map.Entry<SkipReason, Long> e : report.counts().entrySet()) {
      skipped.put(e.getKey().name(), e.getValue());
    }
    JsonObject counts = new JsonObject().put("listed", listed.size()).put("limit", t.getLimit()).put("skipped", skipped)
        .put("skippedFiles", skippedFiles);
    DeclaredOutput index = context.artifacts().writeAt(INDEX, OutputKind.DENSE_INDEX,
        dir -> DenseIndex.write(dir, format, root, t.getSplit(), entries, counts));
    boolean train = t.getSplit().equals("train");
    JsonObject summary = new JsonObject().put("format", format.wireName()).put("split", t.getSplit()).put("root", root.toString())
        .put("listed", listed.size()).put("limit", t.getLimit()).put("samples", picked.size()).put("kept", entries.size())
        .put("training", train ? entries.size() : 0).put("test", train ? 0 : entries.size()).put("heldOut", 0)
        .put("reference", 0).put("skipped", skipped).put("skippedTotal", report.total()).put("skippedSamples", skippedFiles)
        .put("imageSizes", sizes(entries)).put("outputs", new JsonObject().put("index", index.getPath()))
        .put("wallSeconds", (System.nanoTime() - started) / 1e9);
    context.artifacts().writeResult(summary.encodePrettily(), OutputKind.DATA_SUMMARY);
    context.metric("samples", entries.size());
    context.metric("skipped", report.total());
    context.progress(1.0, entries.size() + " pairs indexed, " + report.total() + " skipped");
  }

  /** The smallest and largest indexed image by pixel count, as {@code WxH}. */
  private static JsonObject sizes(List<DenseIndex.Entry> entries) {
    DenseIndex.Entry smallest = entries.get(0);
    DenseIndex.Entry largest = entries.get(0);
    for (DenseIndex.Entry e : entries) {
      long pixels = (long) e.width() * e.height();
      if (pixels < (long) smallest.width() * smallest.height()) {
        smallest = e;
      }
      if (pixels > (long) largest.width() * largest.height()) {
        largest = e;
      }
    }
    return new JsonObject().put("smallest", smallest.width() + "x" + smallest.height())
        .put("largest", largest.width() + "x" + largest.height());
  }
}
