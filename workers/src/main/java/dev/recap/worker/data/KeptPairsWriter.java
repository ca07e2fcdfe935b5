package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second pass over a user's shards: copies the records {@link PairScan} kept into Recap's
 * pair layout, routing each to its training shard, the held-out shard or (also) the reference
 * shard. The image bytes are copied unchanged; {@code key.txt} becomes the chosen caption and
 * {@code key.json} {@code {key, width, height, caption, captions: {alt[, quality]}, source:
 * {shard, key}}}, where {@code quality} is the trusted caption that trains a learned captioner.
 * Held-out pairs carry their caption only, so retrieval ranks every pair against the same kind of
 * caption.
 */
public final class KeptPairsWriter implements AutoCloseable {

  /** What the writer produced: output file name -> pairs, for each role. */
  public record Written(Map<String, Long> training, long heldOut, long reference) {}

  private final Path directory;
  private final String heldOutName;
  private final String referenceName;
  private final Map<String, Long> training = new LinkedHashMap<>();
  private WebDatasetWriter heldOut;
  private WebDatasetWriter reference;

  /**
   * @param directory where the shards go (the task's directory)
   * @param heldOutName file name of the held-out shard
   * @param referenceName file name of the reference shard
   */
  public KeptPairsWriter(Path directory, String heldOutName, String referenceName) {
    this.directory = directory;
    this.heldOutName = heldOutName;
    this.referenceName = referenceName;
  }

  /**
   * Copies the kept records of a training shard into {@code trainingName}, except those whose key
   * is in {@code heldOutKeys}, which go to the held-out shard. Writes no training file if nothing
   * of the shard trains.
   */
  public void copyTraining(PairScan.ScannedShard shard, String trainingName, Set<String> heldOutKeys) throws IOException {
    WebDatasetWriter[] train = new WebDatasetWriter[1];
    try {
      copy(shard, (record, pair) -> {
        if (heldOutKeys.contains(pair.key())) {
          heldOut().writeRecord(pair.key(), members(record, pair, false));
          return;
        }
        if (train[0] == null) {
          train[0] = new WebDatasetWriter(directory.resolve(trainingName), ImageFormat.PNG);
        }
        train[0].writeRecord(pair.key(), members(record, pair, true));
        if (pair.reference() != null) {
          reference().writeRecord(pair.key(), members(record, pair, true));
        }
      });
      if (train[0] != null) {
        training.put(trainingName, train[0].count());
        train[0].close();
      }
    } catch (IOException | RuntimeException e) {
      if (train[0] != null) {
        train[0].abort();
      }
      throw e;
    }
  }

  /** Copies every kept record of a held-out shard into the held-out shard. */
  public void copyHeldOut(PairScan.ScannedShard shard) throws IOException {
    copy(shard, (record, pair) -> heldOut().writeRecord(pair.key(), members(record, pair, false)));
  }

  /** Finishes the held-out and reference shards; returns what was written. */
  public Written finish() throws IOException {
    long h = heldOut == null ? 0 : heldOut.count();
    long r = reference == null ? 0 : reference.count();
    if (heldOut != null) {
      heldOut.close();
    }
    if (reference != null) {
      reference.close();
    }
    return new Written(Map.copyOf(training), h, r);
  }

  /** Discards the held-out and reference shards being written (after a failure). */
  @Override
  public void close() throws IOException {
    for (WebDatasetWriter w : new WebDatasetWriter[] {heldOut, reference}) {
      if (w != null) {
        w.abort();
      }
    }
  }

  @FunctionalInterface
  private interface Route {
    void copy(RawRecord record, PairScan.Pair pair) throws IOException;
  }

  /** Reads the shard again and hands each kept record, once, to {@code route}. */
  private static void copy(PairScan.ScannedShard shard, Route route) throws IOException {
    Map<String, PairScan.Pair> kept = new HashMap<>();
    shard.kept().forEach(p -> kept.put(p.key(), p));
    List<String> missing = new ArrayList<>(kept.keySet());
    try (RecordCursor cursor = new TarShard(shard.path()).open(new SkipReport())) {
      for (RawRecord r = cursor.next(); r != null; r = cursor.next()) {
        PairScan.Pair pair = kept.remove(r.key()); // removed: a repeated key is copied once, as it was kept once
        if (pair != null) {
          route.copy(r, pair);
        }
      }
    }
    if (!kept.isEmpty()) {
      missing.retainAll(kept.keySet());
      throw new IOException("shard " + shard.path() + " changed while it was read: " + missing.size() + " sample(s) it had on the"
          + " first pass are gone on the second (e.g. " + missing.get(0) + "); leave the shards alone while the stage runs");
    }
  }

  private WebDatasetWriter heldOut() throws IOException {
    if (heldOut == null) {
      heldOut = new WebDatasetWriter(directory.resolve(heldOutName), ImageFormat.PNG);
    }
    return heldOut;
  }

  private WebDatasetWriter reference() throws IOException {
    if (reference == null) {
      reference = new WebDatasetWriter(directory.resolve(referenceName), ImageFormat.PNG);
    }
    return reference;
  }

  private static Map<String, byte[]> members(RawRecord record, PairScan.Pair pair, boolean withReference) {
    String ext = PairScan.imageExtensionOf(record);
    JsonObject captions = new JsonObject().put(Sample.ALT, pair.caption());
    if (withReference && pair.reference() != null) {
      captions.put(Sample.QUALITY, pair.reference());
    }
    JsonObject meta = new JsonObject().put("key", pair.key()).put("width", pair.width()).put("height", pair.height())
        .put("caption", pair.caption()).put("captions", captions)
        .put("source", new JsonObject().put("shard", record.shard()).put("key", record.key()));
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(ext, record.members().get(ext));
    m.put("txt", pair.caption().getBytes(StandardCharsets.UTF_8));
    m.put("json", meta.encode().getBytes(StandardCharsets.UTF_8));
    return m;
  }
}
