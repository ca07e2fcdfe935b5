package dev.recap.worker.report;

import dev.recap.api.data.RgbImage;
import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.bus.OutputKind;
import dev.recap.worker.caption.SidecarReader;
import dev.recap.worker.data.BadSampleException;
import dev.recap.worker.data.ImageCodec;
import dev.recap.worker.data.RawRecord;
import dev.recap.worker.data.RecordCursor;
import dev.recap.worker.data.SampleCodec;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.TarShard;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The report's "Assessment" section ({@code recap assess}): per metric, recaptioned − original
 * with its t-interval over seeds and the verdict in words ({@link AssessmentVerdict}); the
 * random-initialization control beside them; 20 caption pairs side by side with thumbnails; what
 * the captioner and the trainer cost in this run, projected to the whole dataset; and what the
 * budget held back.
 *
 * @param verdicts one per metric measured on both runs
 * @param table the metrics of the three runs (mean ± std over seeds) and the differences
 * @param pairs caption pairs: thumbnail file (in the report folder), original, recaptioned
 * @param cost sentences on measured speeds and their projection
 * @param notes the proxy's sizing, the budget's decisions, what could not be read
 * @param files thumbnails to write beside the report
 */
public record Assessment(List<AssessmentVerdict.Line> verdicts, ReportTable table, List<CaptionPair> pairs, List<String> cost,
    List<String> notes, Map<String, byte[]> files) {

  /** Caption pairs shown. */
  static final int PAIRS = 20;

  /** Thumbnails' longer side, pixels. */
  static final int THUMB = 96;

  /** One training pair with both captions. */
  public record CaptionPair(String thumbnail, String original, String recaptioned) {}

  /** The metrics judged: protocol, task, metric key, name shown, what it measures. */
  private record Judged(String protocol, String task, String key, String shown, String what) {}

  private static final List<Judged> JUDGED = List.of(
      new Judged("frozen", "segmentation", "mIoU", "mIoU", "segmentation"),
      new Judged("frozen", "depth", "rmse", "RMSE", "depth"),
      new Judged("retrieval", "retrieval", "r1", "R@1", "retrieval"),
      new Judged("retrieval", "retrieval", "r5", "R@5", "retrieval"));

  /**
   * Builds the section.
   *
   * @param assess the report stage's {@code assess} settings (JSON)
   * @param skippedStages stages of the job the budget skipped, each {@code stage: why}
   */
  static Assessment read(String assess, List<String> skippedStages, List<ReportBuilder.Input> inputs, List<RunResult> results,
      List<DataSummaries.Summary> data) {
    JsonObject a = new JsonObject(assess);
    String original = a.getString("original");
    String recaptioned = a.getString("recaptioned");
    String control = a.getString("control", "");
    String source = a.getString("source");
    List<String> notes = new ArrayList<>();
    if (a.getString("sizing") != null) {
      notes.add(a.getString("sizing"));
    }
    Map<Long, Boolean> seedsTrained = new TreeMap<>();
    results.stream().filter(r -> !r.snapshot() && r.run().equals(original)).forEach(r -> seedsTrained.put(r.seed(), true));
    for (String s : skippedStages) {
      notes.add("budget: stage " + s);
    }
    if (!skippedStages.isEmpty()) {
      notes.add("the budget stopped the run after " + seedsTrained.size() + " seed(s); every interval below is over those");
    }

    List<AssessmentVerdict.Line> verdicts = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Judged j : JUDGED) {
      Map<Long, Double> o = bySeed(results, original, j);
      Map<Long, Double> r = bySeed(results, recaptioned, j);
      Map<Long, Double> c = bySeed(results, control, j);
      List<Double> differences = new ArrayList<>();
      o.forEach((seed, v) -> {
        if (r.containsKey(seed)) {
          differences.add(r.get(seed) - v);
        }
      });
      if (differences.isEmpty()) {
        continue;
      }
      AssessmentVerdict.Line line = AssessmentVerdict.of(j.what(), j.shown(), ExperimentResults.higherIsBetter(j.key()), differences);
      verdicts.add(line);
      rows.add(List.of(j.what() + " " + j.shown(), summary(o), summary(r), c.isEmpty() ? "—" : summary(c),
          AssessmentVerdict.fmt(line.mean()), Double.isNaN(line.low()) ? "—"
              : AssessmentVerdict.fmt(line.low()) + " .. " + AssessmentVerdict.fmt(line.high()), Integer.toString(line.n())));
    }
    ReportTable table = new ReportTable("Final models; mean ± sample std over seeds; the difference is recaptioned − original,"
        + " paired by seed (same initialization and data order), with its 95% t-interval",
        List.of("metric", original + " (original captions)", recaptioned + " (" + source + ")", control + " (untrained)",
            "difference", "95% CI", "seeds"), rows);

    Map<String, byte[]> files = new LinkedHashMap<>();
    List<CaptionPair> pairs = pairs(inputs, source, files, notes);
    List<String> cost = cost(a, inputs, results, data, original, recaptioned, source);
    return new Assessment(List.copyOf(verdicts), table, List.copyOf(pairs), List.copyOf(cost), List.copyOf(notes), files);
  }

  private static Map<Long, Double> bySeed(List<RunResult> results, String run, Judged j) {
    Map<Long, Double> out = new TreeMap<>();
    for (RunResult r : results) {
      if (!r.snapshot() && r.run().equals(run) && r.protocol().equals(j.protocol()) && r.kind().equals(j.task())
          && (j.protocol().equals("retrieval") || r.fraction() == 1.0) && r.metrics().containsKey(j.key())) {
        out.putIfAbsent(r.seed(), r.metrics().get(j.key()));
      }
    }
    return out;
  }

  private static String summary(Map<Long, Double> values) {
    return values.isEmpty() ? "—" : Summary.of(new ArrayList<>(values.values())).format();
  }

  /** {@link #PAIRS} training pairs chosen at random (fixed seed) among those the recaption source captioned. */
  private static List<CaptionPair> pairs(List<ReportBuilder.Input> inputs, String source, Map<String, byte[]> files,
      List<String> notes) {
    Map<String, String> recaptions = new LinkedHashMap<>();
    for (ReportBuilder.Input in : inputs) {
      if (in.kind() == OutputKind.CURATED_CAPTIONS && in.task().startsWith(source + "-")) {
        try {
          for (CaptionSidecarRecord rec : SidecarReader.readAll(in.file())) {
            recaptions.put(rec.getKey(), rec.getCaption());
          }
        } catch (IOException | RuntimeException e) {
          notes.add("caption pairs: " + in.file() + " could not be read (" + e.getMessage() + ")");
        }
      }
    }
    List<Path> shards = inputs.stream().filter(in -> in.kind() == OutputKind.PAIRS_SHARD
        && in.file().getFileName().toString().startsWith("train-")).map(ReportBuilder.Input::file).sorted().toList();
    List<String> keys = new ArrayList<>(new java.util.TreeSet<>(recaptions.keySet()));
    Collections.shuffle(keys, new Random(7));
    java.util.Set<String> chosen = new java.util.HashSet<>(keys.subList(0, Math.min(PAIRS, keys.size())));
    Map<String, CaptionPair> found = new TreeMap<>();
    for (Path shard : shards) {
      if (found.size() == chosen.size()) {
        break;
      }
      try (RecordCursor cursor = new TarShard(shard).open(new SkipReport())) {
        for (RawRecord rec = cursor.next(); rec != null; rec = cursor.next()) {
          if (!chosen.contains(rec.key())) {
            continue;
          }
          byte[] txt = rec.members().get("txt");
          String name = String.format(Locale.ROOT, "assess-pair-%02d.png", found.size() + 1);
          String thumbnail = thumbnail(rec, name, files) ? name : null;
          found.put(rec.key(), new CaptionPair(thumbnail, txt == null ? "" : new String(txt, StandardCharsets.UTF_8).strip(),
              recaptions.get(rec.key())));
        }
      } catch (RuntimeException e) {
        notes.add("caption pairs: " + shard + " could not be read (" + e.getMessage() + ")");
      }
    }
    return new ArrayList<>(found.values());
  }

  private static boolean thumbnail(RawRecord rec, String name, Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> m : rec.members().entrySet()) {
      if (SampleCodec.IMAGE_EXTENSIONS.contains(m.getKey())) {
        try {
          files.put(name, ImageCodec.encodePng(shrink(ImageCodec.decode(m.getValue()))));
          return true;
        } catch (BadSampleException | RuntimeException e) {
          return false;
        }
      }
    }
    return false;
  }

  /** Nearest-neighbour to at most {@link #THUMB} pixels on the longer side. */
  private static RgbImage shrink(RgbImage img) {
    double scale = Math.min(1.0, (double) THUMB / Math.max(img.width(), img.height()));
    int w = Math.max(1, (int) Math.round(img.width() * scale));
    int h = Math.max(1, (int) Math.round(img.height() * scale));
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int sy = Math.min(img.height() - 1, (int) (y / scale));
      for (int x = 0; x < w; x++) {
        int sx = Math.min(img.width() - 1, (int) (x / scale));
        System.arraycopy(img.rgb(), (sy * img.width() + sx) * 3, out, (y * w + x) * 3, 3);
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Captioner pairs/s and trainer images/s as this run measured them, projected to the whole dataset. */
  private static List<String> cost(JsonObject a, List<ReportBuilder.Input> inputs, List<RunResult> results,
      List<DataSummaries.Summary> data, String original, String recaptioned, String source) {
    List<String> out = new ArrayList<>();
    long proxyPairs = data.stream().mapToLong(DataSummaries.Summary::kept).sum();
    long proxyShards = data.stream().mapToLong(DataSummaries.Summary::shards).sum();
    int totalShards = a.getInteger("shards", 0);
    long total = proxyShards > 0 && totalShards > 0 ? Math.round((double) proxyPairs / proxyShards * totalShards) : 0;
    if (total > 0) {
      out.add(String.format(Locale.ROOT, "The whole dataset: an estimated %,d pairs (%d shards x %.0f usable pairs per shard in"
          + " the proxy of %d shards).", total, totalShards, (double) proxyPairs / proxyShards, proxyShards));
    }
    double samples = 0;
    double seconds = 0;
    for (ReportBuilder.Input in : inputs) {
      if (in.kind() == OutputKind.LOG && in.file().getFileName().toString().equals("stats.json")
          && in.task().startsWith(source + "-")) {
        try {
          JsonObject s = new JsonObject(Files.readString(in.file()));
          samples += s.getDouble("samples", 0.0);
          seconds += s.getDouble("seconds", 0.0);
        } catch (IOException | RuntimeException e) {
          // a log we cannot read only costs this sentence its numbers
        }
      }
    }
    if (samples > 0 && seconds > 0) {
      double rate = samples / seconds;
      if (source.equals("stored")) {
        out.add(String.format(Locale.ROOT, "Captioner (%s): the recaptions were made elsewhere, so their cost is not measured"
            + " here; reading them ran at %.1f pairs/s per worker (%,d pairs).", a.getString("captioner", source), rate,
            (long) samples));
      } else {
        String projection = total > 0 ? String.format(Locale.ROOT, "; recaptioning all %,d pairs would take ~%s here", total,
            workerTime(total / rate)) : "";
        out.add(String.format(Locale.ROOT, "Captioner (%s): %.1f pairs/s per worker, measured on %,d pairs in this run%s.",
            a.getString("captioner", source), rate, (long) samples, projection));
      }
    }
    double pairs = 0;
    double wall = 0;
    for (RunResult r : results) {
      Double seen = r.pairsSeen() != null ? Double.valueOf(r.pairsSeen()) : r.metrics().get("pairsSeen");
      if (r.protocol().equals("pretrain") && (r.run().equals(original) || r.run().equals(recaptioned)) && seen != null
          && r.wallSeconds() != null) {
        pairs += seen;
        wall += r.wallSeconds();
      }
    }
    if (pairs > 0 && wall > 0) {
      double rate = pairs / wall;
      String projection = total > 0 ? String.format(Locale.ROOT, "; one epoch of this CLIP over all %,d pairs would take ~%s"
          + " here", total, workerTime(total / rate)) : "";
      out.add(String.format(Locale.ROOT, "Trainer: %.1f images/s per worker (pairs seen over task wall time, both caption sets)%s."
          + " Pass --images-per-second %.0f to size the next proxy from this run.", rate, projection, rate));
    }
    double probeWall = 0;
    int probes = 0;
    for (RunResult r : results) {
      if (r.protocol().equals("frozen") && r.wallSeconds() != null) {
        probeWall += r.wallSeconds();
        probes++;
      }
    }
    if (probes > 0) {
      double estimate = a.getDouble("probeSeconds", 0.0);
      out.add(String.format(Locale.ROOT, "Dense probes: %.1f s per frozen probe on average (%d probes, task wall time)%s.",
          probeWall / probes, probes, estimate > 0 ? String.format(Locale.ROOT, "; the sizing estimated %.1f s (%.2fx)", estimate,
              probeWall / probes / estimate) : ""));
    }
    return out;
  }

  /** "12 worker-minutes", "3.4 worker-hours", "1,250 worker-hours". */
  static String workerTime(double seconds) {
    double h = seconds / 3600;
    if (h < 1) {
      return String.format(Locale.ROOT, "%.0f worker-minutes", Math.max(1, Math.ceil(seconds / 60)));
    }
    return h < 10 ? String.format(Locale.ROOT, "%.1f worker-hours", h) : String.format(Locale.ROOT, "%,.0f worker-hours", h);
  }
}
