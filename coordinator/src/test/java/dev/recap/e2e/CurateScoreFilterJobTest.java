package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.CaptionSidecarRecord;
import dev.recap.coordinator.run.JobStatus;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that filters captions by CLIP score on the embedded default (a coordinator and two
 * workers in this JVM, the distribution's plugin jars): synthetic pairs in 3 shards, alt-text
 * curated, a tiny CLIP pretrained on them, then alt-text and grounded captions re-curated with
 * that CLIP's scores, keeping the top half of each (source x shard).
 */
class CurateScoreFilterJobTest {

  static final String JOB = """
      name: clipscore
      seed: 5
      maxAttempts: 1
      leaseSeconds: 30
      stages:
        - {name: data, kind: synth-data, sourceConfig: {size: 32}, pairs: 90, shardSize: 30, referenceFraction: 0.05,
           heldOut: 1, denseTrain: 1, denseTest: 1}
        - {name: curate, kind: curate, after: [data], sources: [alt-text], batchSize: 32}
        - name: pretrain
          kind: pretrain
          after: [data, curate]
          imageSize: 32
          batchSize: 30
          maxSteps: 6
          warmupSteps: 1
          embedDim: 32
          text: text-transformer
          textConfig: {width: 32, depth: 1, heads: 2, context: 24, vocab: 512}
          runs:
            - {name: tiny, captions: alt-text, encoder: vit,
               encoderConfig: {patch: 8, width: 32, depth: 1, heads: 2, mlpRatio: 2.0, imageSize: 32}}
        - name: filtered
          kind: curate
          after: [data, pretrain]
          sources: [alt-text, grounded]
          batchSize: 8
          score: {stage: pretrain, run: tiny, seed: 1}
          filter: {topFraction: 0.5}
      """;

  @Test
  void topHalfByClipScoreIsKeptPerSourceAndShardWithEveryCaptionOnce(@TempDir Path tmp) throws Exception {
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, JOB, "CurateScoreFilterJobTest", Duration.ofMinutes(3));
    JobStatus done = job.done();
    assertEquals("SUCCEEDED", done.state(), () -> "job failed: " + done.cause());
    Map<String, Path> tasks = job.tasks();
    assertTrue(Files.exists(tasks.get("pretrain_tiny-s1").resolve("model/clip.params")));
    for (String source : List.of("alt-text", "grounded")) {
      Set<String> keptKeys = new HashSet<>();
      for (String shard : List.of("00000", "00001", "00002")) {
        Path dir = tasks.get("filtered_" + source + "-" + shard);
        assertNotNull(dir, "no task filtered_" + source + "-" + shard + " among " + tasks.keySet());
        Map<String, Float> kept = scores(dir.resolve("captions.avro"));
        Map<String, Float> dropped = scores(dir.resolve("filtered-out.avro"));
        JsonObject stats = new JsonObject(Files.readString(dir.resolve("stats.json")));
        int n = kept.size() + dropped.size();
        String where = source + " shard " + shard;
        assertEquals(stats.getLong("samples") - stats.getLong("withoutCaption"), n, where + ": every captioned sample is kept or dropped");
        assertTrue(n > 0, where);
        assertEquals(Math.round(0.5 * n), kept.size(), where + ": keeps exactly round(0.5 * " + n + ")");
        assertEquals(kept.size(), stats.getLong("captionsWritten"), where);
        assertEquals(dropped.size(), stats.getLong("filteredOut"), where);
        float minKept = kept.values().stream().min(Float::compare).orElseThrow();
        float maxDropped = dropped.values().stream().max(Float::compare).orElse(Float.NEGATIVE_INFINITY);
        assertTrue(minKept >= maxDropped, where + ": kept min score " + minKept + " < dropped max " + maxDropped);
        for (float s : kept.values()) {
          assertTrue(s >= -1.0001f && s <= 1.0001f, where + ": score " + s + " is not a cosine");
        }
        for (String key : kept.keySet()) {
          assertFalse(dropped.containsKey(key), where + ": " + key + " both kept and dropped");
          assertTrue(keptKeys.add(key), source + ": caption of " + key + " kept twice");
        }
        Set<Float> distinct = new HashSet<>(kept.values());
        distinct.addAll(dropped.values());
        assertTrue(distinct.size() > n / 2, where + ": the CLIP gives nearly every pair the same score " + distinct);
        System.out.printf("%s: kept %d of %d, kept scores >= %.4f, dropped <= %.4f, mean %.4f -> %.4f%n", where, kept.size(), n,
            minKept, maxDropped, stats.getDouble("meanScore"), stats.getDouble("meanKeptScore"));
        double mean = kept.values().stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertEquals(mean, stats.getDouble("meanKeptScore"), 1e-5, where);
        assertTrue(stats.getDouble("meanKeptScore") >= stats.getDouble("meanScore"), where + ": keeping the top half raises the mean");
      }
    }
    // the unfiltered curate stage carries no scores and drops nothing
    JsonObject plain = new JsonObject(Files.readString(tasks.get("curate_alt-text-00000").resolve("stats.json")));
    assertEquals(0, plain.getLong("filteredOut"));
    assertFalse(plain.containsKey("meanScore"));
  }

  /** Sample key -> score of a sidecar; every record must carry a score. */
  private static Map<String, Float> scores(Path sidecar) throws Exception {
    Map<String, Float> out = new TreeMap<>();
    try (DataFileReader<CaptionSidecarRecord> reader =
        new DataFileReader<>(new File(sidecar.toString()), new SpecificDatumReader<>(CaptionSidecarRecord.class))) {
      for (CaptionSidecarRecord r : reader) {
        assertNotNull(r.getScore(), sidecar + ": sample " + r.getKey() + " has no score");
        assertTrue(out.put(r.getKey(), r.getScore()) == null, sidecar + " holds " + r.getKey() + " twice");
      }
    }
    return out;
  }
}
