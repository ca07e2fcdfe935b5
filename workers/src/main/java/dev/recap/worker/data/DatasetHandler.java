package dev.recap.worker.data;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.DatasetTask;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code dataset} task: the user's WebDataset shards of image-text pairs (img2dataset's
 * layout), made into the pair shards later stages read.
 *
 * <p>First pass ({@link PairScan}): every record of every shard is decoded once; a record
 * without a decodable image or a caption, or repeating an earlier key, is skipped with its reason
 * (listed in {@code skipped.csv}, counted in the result, the first {@value #TOLD} told to the
 * job's events log). Then the held-out pairs are chosen: all pairs of {@code heldOutShards}, or
 * {@code heldOut} pairs of the training shards by key ({@link HeldOutChoice}). Second pass
 * ({@link KeptPairsWriter}): the kept records are copied, images byte for byte, into
 * {@code train-NNNNN.tar} (one per source shard that still has training pairs),
 * {@code heldout.tar} and {@code reference.tar} (pairs with a trusted caption), each declared as
 * a {@code pairs-shard}. The result ({@code result.json}, declared as {@code data-summary}) says
 * which output holds which pairs and every count; planners of later stages read it.
 *
 * <p>A shard that cannot be opened, a caption source that is not understood, or a held-out count
 * that leaves nothing to train on fails the task permanently, naming the shard or the number.
 */
public final class DatasetHandler implements TaskHandler<DatasetTask> {

  /** The task type the {@code dataset} planner emits. */
  public static final String TYPE = "dataset";

  /** Skipped samples told to the job's events log, one event each; the rest are in skipped.csv. */
  static final int TOLD = 100;

  /** Skipped samples listed in the result itself. */
  static final int LISTED = 20;

  static final String HELD_OUT = "heldout.tar";
  static final String REFERENCE = "reference.tar";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<DatasetTask> payloadType() {
    return DatasetTask.class;
  }

  /** A skipped sample as the user sees it. */
  private record Skipped(String shard, String key, SkipReason reason, String detail) {}

  @Override
  public void execute(TaskContext<DatasetTask> context) throws Exception {
    DatasetTask t = context.payload();
    CaptionField caption = field(t.getCaption(), "caption");
    CaptionField reference = t.getReferenceCaption() == null ? null : field(t.getReferenceCaption(), "referenceCaption");
    if (t.getHeldOut() > 0 && !t.getHeldOutShards().isEmpty()) {
      throw new PermanentTaskFailure("set heldOut (" + t.getHeldOut() + " pairs) or heldOutShards, not both");
    }
    List<Path> training = t.getShards().stream().map(Path::of).toList();
    List<Path> heldOutShards = t.getHeldOutShards().stream().map(Path::of).toList();
    List<Skipped> skipped = Collections.synchronizedList(new ArrayList<>());
    AtomicLong told = new AtomicLong();
    SkipReport report = new SkipReport((shard, key, reason, detail) -> {
      skipped.add(new Skipped(shard, key, reason, detail));
      if (told.incrementAndGet() <= TOLD) {
        context.event("skipped sample " + key + ": " + reason + ", " + detail + " (" + shard + ")");
      }
    });
    long started = System.nanoTime();
    PairScan scan = new PairScan(caption, reference, report);
    List<PairScan.ScannedShard> trainScans = new ArrayList<>();
    List<PairScan.ScannedShard> heldOutScans = new ArrayList<>();
    int total = training.size() + heldOutShards.size();
    long records = 0;
    long kept = 0;
    for (Path shard : training) {
      trainScans.add(scan(scan, shard));
      records += trainScans.get(trainScans.size() - 1).records();
      kept += trainScans.get(trainScans.size() - 1).kept().size();
      progress(context, trainScans.size(), total, records, kept, started);
    }
    for (Path shard : heldOutShards) {
      heldOutScans.add(scan(scan, shard));
      records += heldOutScans.get(heldOutScans.size() - 1).records();
      kept += heldOutScans.get(heldOutScans.size() - 1).kept().size();
      progress(context, trainScans.size() + heldOutScans.size(), total, records, kept, started);
    }
    double scanSeconds = (System.nanoTime() - started) / 1e9;
    List<String> trainingKeys = new ArrayList<>();
    trainScans.forEach(s -> s.kept().forEach(p -> trainingKeys.add(p.key())));
    if (t.getHeldOut() >= trainingKeys.size() && t.getHeldOut() > 0 || trainingKeys.isEmpty()) {
      throw new PermanentTaskFailure("the training shards " + training + " hold " + trainingKeys.size() + " usable pair(s)"
          + (t.getHeldOut() > 0 ? " and heldOut asks for " + t.getHeldOut() : "") + ": nothing would be left to train on"
          + (report.total() > 0 ? "; " + report.total() + " sample(s) were skipped: " + report.counts() + " (see skipped.csv)" : ""));
    }
    Set<String> heldOutKeys = t.getHeldOut() > 0 ? HeldOutChoice.choose(trainingKeys, t.getHeldOut(), t.getDataSeed()) : Set.of();
    Path dir = context.artifacts().directory();
    Files.createDirectories(dir);
    writeSkipped(context, skipped);
    context.progress(0.8, "copying " + kept + " pairs into training, held-out and reference shards");
    KeptPairsWriter.Written written;
    try (KeptPairsWriter writer = new KeptPairsWriter(dir, HELD_OUT, REFERENCE)) {
      for (int i = 0; i < trainScans.size(); i++) {
        writer.copyTraining(trainScans.get(i), String.format(Locale.ROOT, "train-%05d.tar", i), heldOutKeys);
      }
      for (PairScan.ScannedShard s : heldOutScans) {
        writer.copyHeldOut(s);
      }
      written = writer.finish();
    }
    JsonArray trainOutputs = new JsonArray();
    for (String name : written.training().keySet().stream().sorted().toList()) {
      trainOutputs.add(context.artifacts().declareInPlace(name, OutputKind.PAIRS_SHARD).getPath());
    }
    JsonArray heldOutOutputs = new JsonArray();
    if (written.heldOut() > 0) {
      heldOutOutputs.add(context.artifacts().declareInPlace(HELD_OUT, OutputKind.PAIRS_SHARD).getPath());
    }
    JsonArray referenceOutputs = new JsonArray();
    if (written.reference() > 0) {
      referenceOutputs.add(context.artifacts().declareInPlace(REFERENCE, OutputKind.PAIRS_SHARD).getPath());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long trainingPairs = written.training().values().stream().mapToLong(Long::longValue).sum();
    JsonObject skips = new JsonObject();
    report.counts().forEach((reason, n) -> skips.put(reason.name(), n));
    JsonArray listed = new JsonArray();
    synchronized (skipped) {
      skipped.stream().limit(LISTED).forEach(s -> listed.add(new JsonObject().put("shard", s.shard()).put("key", s.key())
          .put("reason", s.reason().name()).put("detail", s.detail())));
    }
    JsonObject summary = new JsonObject()
        .put("caption", caption.spec()).put("referenceCaption", reference == null ? null : reference.spec())
        .put("shards", shards(trainScans, heldOutScans, heldOutKeys))
        .put("samples", records).put("kept", kept).put("training", trainingPairs).put("heldOut", written.heldOut())
        .put("reference", written.reference()).put("skipped", skips).put("skippedTotal", report.total())
        .put("skippedSamples", listed).put("imageSizes", sizes(trainScans, heldOutScans))
        .put("outputs", new JsonObject().put("train", trainOutputs).put("heldOut", heldOutOutputs)
            .put("reference", referenceOutputs))
        .put("scanSeconds", scanSeconds).put("imagesPerSecond", records / Math.max(1e-9, scanSeconds))
        .put("wallSeconds", seconds);
    context.artifacts().writeResult(summary.encodePrettily(), OutputKind.DATA_SUMMARY);
    context.metric("samples", records);
    context.metric("kept", kept);
    context.metric("skipped", report.total());
    report.counts().forEach((reason, n) -> context.metric("skipped/" + reason.name(), n));
    String line = String.format(Locale.ROOT, "%d of %d pairs kept: %d training, %d held out, %d reference; %d skipped%s",
        kept, records, trainingPairs, written.heldOut(), written.reference(), report.total(),
        report.total() == 0 ? "" : " " + report.counts());
    context.event("data: " + line);
    context.progress(1.0, line);
  }

  private static CaptionField field(String spec, String name) throws PermanentTaskFailure {
    try {
      return CaptionField.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new PermanentTaskFailure(name + ": " + e.getMessage(), e);
    }
  }

  private static PairScan.ScannedShard scan(PairScan scan, Path shard) throws PermanentTaskFailure {
    try {
      return scan.scan(shard);
    } catch (ShardOpenException e) {
      throw new PermanentTaskFailure("shard " + shard + " cannot be opened as a tar (" + e.getCause()
          + "); fix it or leave it out of 'shards'", e);
    }
  }

  private static void progress(TaskContext<DatasetTask> context, int done, int total, long records, long kept, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    context.progress(0.8 * done / total, String.format(Locale.ROOT, "scanned %d of %d shards: %d of %d pairs kept, %.0f images/s",
        done, total, kept, records, records / Math.max(1e-9, seconds)));
    context.metric("samples_per_sec", records / Math.max(1e-9, seconds), Map.of("step", Integer.toString(done)));
  }

  /** Every skipped sample, for people: {@code shard,key,reason,detail}, RFC 4180 quoting. */
  private static void writeSkipped(TaskContext<DatasetTask> context, List<Skipped> skipped) throws IOException {
    StringBuilder csv = new StringBuilder("shard,key,reason,detail\n");
    synchronized (skipped) {
      for (Skipped s : skipped) {
        csv.append(quote(s.shard())).append(',').append(quote(s.key())).append(',').append(s.reason().name()).append(',')
            .append(quote(s.detail())).append('\n');
      }
    }
    context.artifacts().write("skipped.csv", OutputKind.LOG, csv.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String quote(String s) {
    return "\"" + (s == null ? "" : s.replace("\"", "\"\"")) + "\"";
  }

  private static JsonArray shards(List<PairScan.ScannedShard> training, List<PairScan.ScannedShard> heldOut,
      Set<String> heldOutKeys) {
    JsonArray out = new JsonArray();
    for (PairScan.ScannedShard s : training) {
      long held = s.kept().stream().filter(p -> heldOutKeys.contains(p.key())).count();
      out.add(new JsonObject().put("path", s.path().toString()).put("role", "train").put("samples", s.records())
          .put("kept", s.kept().size()).put("heldOut", held));
    }
    for (PairScan.ScannedShard s : heldOut) {
      out.add(new JsonObject().put("path", s.path().toString()).put("role", "heldOut").put("samples", s.records())
          .put("kept", s.kept().size()).put("heldOut", s.kept().size()));
    }
    return out;
  }

  /** The smallest and largest kept image (by pixel count), e.g. {@code {smallest: "8x8", largest: "2560x1600"}}. */
  private static JsonObject sizes(List<PairScan.ScannedShard> training, List<PairScan.ScannedShard> heldOut) {
    PairScan.Pair smallest = null;
    PairScan.Pair largest = null;
    for (List<PairScan.ScannedShard> list : List.of(training, heldOut)) {
      for (PairScan.ScannedShard s : list) {
        for (PairScan.Pair p : s.kept()) {
          long pixels = (long) p.width() * p.height();
          if (smallest == null || pixels < (long) smallest.width() * smallest.height()) {
            smallest = p;
          }
          if (largest == null || pixels > (long) largest.width() * largest.height()) {
            largest = p;
          }
        }
      }
    }
    JsonObject out = new JsonObject();
    if (smallest != null) {
      out.put("smallest", smallest.width() + "x" + smallest.height()).put("largest", largest.width() + "x" + largest.height());
    }
    return out;
  }
}
