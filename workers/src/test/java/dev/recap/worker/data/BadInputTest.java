package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.Sample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input is skipped, counted with its reason, and the good samples around it survive. */
class BadInputTest {

  @TempDir Path dir;
  private final TestSamples gen = new TestSamples(16, 3);

  /** Writes a tar whose records are given member by member, so tests can break any of them. */
  private Path tar(String name, List<Map<String, byte[]>> records, List<String> keys) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(p); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (int i = 0; i < records.size(); i++) {
        for (Map.Entry<String, byte[]> m : records.get(i).entrySet()) {
          TarArchiveEntry e = new TarArchiveEntry(keys.get(i) + "." + m.getKey());
          e.setSize(m.getValue().length);
          tar.putArchiveEntry(e);
          tar.write(m.getValue());
          tar.closeArchiveEntry();
        }
      }
    }
    return p;
  }

  private Map<String, byte[]> good(long i) {
    return new LinkedHashMap<>(SampleCodec.encode(gen.sample(i), ImageFormat.PNG));
  }

  private List<Sample> readAll(Path shard, SkipReport report) {
    List<Sample> out = new ArrayList<>();
    new WebDatasetReader(shard, report, true).forEach(out::add);
    return out;
  }

  @Test
  void corruptImageMissingCaptionAndBadMapsAreSkippedAndCounted() throws Exception {
    Map<String, byte[]> corrupt = good(1);
    byte[] png = corrupt.get("png");
    corrupt.put("png", Arrays.copyOf(png, png.length / 3)); // cut the PNG short
    Map<String, byte[]> noCaption = good(2);
    noCaption.remove("txt");
    noCaption.put("json", "{\"key\":\"000000002\"}".getBytes(StandardCharsets.UTF_8));
    Map<String, byte[]> eightBitDepth = good(3);
    eightBitDepth.put("depth.png", ImageCodec.encodeClassMap(16, 16, new byte[256])); // 8-bit, not 16-bit
    Map<String, byte[]> smallClassMap = good(4);
    smallClassMap.put("seg.png", ImageCodec.encodeClassMap(8, 8, new byte[64]));
    Map<String, byte[]> badJson = good(5);
    badJson.put("json", "{not json".getBytes(StandardCharsets.UTF_8));
    Path shard = tar("bad.tar",
        List.of(good(0), corrupt, noCaption, eightBitDepth, smallClassMap, badJson, good(6)),
        List.of("000000000", "000000001", "000000002", "000000003", "000000004", "000000005", "000000006"));

    SkipReport report = new SkipReport();
    List<Sample> read = readAll(shard, report);

    assertEquals(List.of("000000000", "000000006"), read.stream().map(Sample::key).toList());
    TestSamples.assertSameSample(gen.sample(6), read.get(1));
    assertEquals(Map.of(
        SkipReason.CORRUPT_IMAGE, 1L,
        SkipReason.MISSING_CAPTION, 1L,
        SkipReason.BAD_DEPTH_FORMAT, 1L,
        SkipReason.SIZE_MISMATCH, 1L,
        SkipReason.BAD_METADATA, 1L), report.counts());
  }

  @Test
  void truncatedShardKeepsTheSamplesBeforeTheBreak() throws Exception {
    Path whole = DatasetWriter.writeShards(gen, 0, 5, 5, dir, "t", ImageFormat.PNG).get(0);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.tar");
    Files.write(cut, Arrays.copyOf(bytes, (int) (bytes.length * 0.6)));

    SkipReport report = new SkipReport();
    List<Sample> read = readAll(cut, report);

    assertTrue(read.size() >= 1 && read.size() < 5, "read " + read.size());
    for (int i = 0; i < read.size(); i++) {
      TestSamples.assertSameSample(gen.sample(i), read.get(i));
    }
    assertEquals(1, report.count(SkipReason.TRUNCATED_SHARD));
  }

  @Test
  void shardThatCannotBeOpenedFailsWithItsPath() throws Exception {
    Path missing = dir.resolve("missing.tar");
    ShardOpenException e = assertThrows(ShardOpenException.class, () -> readAll(missing, new SkipReport()));
    assertEquals(missing, e.path());
    assertTrue(e.getMessage().contains("missing.tar"), e.getMessage());

    Path garbage = dir.resolve("garbage.tar");
    byte[] noise = new byte[4096];
    new java.util.Random(1).nextBytes(noise);
    Files.write(garbage, noise);
    ShardOpenException g = assertThrows(ShardOpenException.class, () -> readAll(garbage, new SkipReport()));
    assertEquals(garbage, g.path());
  }

  @Test
  void loaderSkipsBadSamplesAndReportsThem() throws Exception {
    Map<String, byte[]> corrupt = good(1);
    corrupt.put("png", "not an image".getBytes(StandardCharsets.UTF_8));
    Path shard = tar("mixed.tar", List.of(good(0), corrupt, good(2)), List.of("000000000", "000000001", "000000002"));
    LoaderOptions opt = LoaderOptions.builder().batchSize(8).imageSize(16).shuffleBuffer(1).build();
    try (BatchLoader loader = new BatchLoader(List.of(new TarShard(shard)), opt);
        ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
      try (Batch b = loader.next(nd)) {
        assertEquals(List.of("000000000", "000000002"), b.keys());
        assertEquals(new ai.djl.ndarray.types.Shape(2, 3, 16, 16), b.images().getShape());
      }
      assertEquals(null, loader.next(nd));
      assertEquals(Map.of(SkipReason.CORRUPT_IMAGE, 1L), loader.skips().counts());
    }
  }

  @Test
  void loaderFailsNamingAShardThatCannotBeOpened() throws Exception {
    Path good = DatasetWriter.writeShards(gen, 0, 2, 2, dir, "ok", ImageFormat.PNG).get(0);
    Path missing = dir.resolve("gone.tar");
    LoaderOptions opt = LoaderOptions.builder().batchSize(64).imageSize(16).build();
    try (BatchLoader loader = new BatchLoader(List.of(new TarShard(good), new TarShard(missing)), opt);
        ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
      ShardOpenException e = assertThrows(ShardOpenException.class, () -> {
        for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
          b.close();
        }
      });
      assertEquals(missing, e.path());
    }
  }
}
