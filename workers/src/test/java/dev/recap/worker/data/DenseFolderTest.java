package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenseFolderTest {

  @TempDir Path dir;
  private final TestSamples gen = new TestSamples(20, 4);

  private static List<Sample> read(DenseFolder folder, SkipReport report) {
    List<Sample> out = new ArrayList<>();
    folder.samples(report).forEach(out::add);
    return out;
  }

  @Test
  void ade20kStyleFolderRoundTripsClassMapsWithIgnore() throws Exception {
    Path root = dir.resolve("ade");
    DatasetWriter.writeDenseFolder(gen, 0, 5, root, DenseFolderLayout.ADE20K, ImageFormat.PNG);
    assertTrue(Files.exists(root.resolve("images/000000003.png")));
    assertTrue(Files.exists(root.resolve("annotations/000000003.png")));
    SkipReport report = new SkipReport();
    List<Sample> read = read(new DenseFolder(root, DenseFolderLayout.ADE20K), report);
    assertEquals(5, read.size());
    for (int i = 0; i < 5; i++) {
      Sample expected = gen.sample(i);
      assertArrayEquals(expected.image().rgb(), read.get(i).image().rgb());
      assertArrayEquals(expected.classMap(), read.get(i).classMap(), "255 = ignore survives");
      assertNull(read.get(i).depthMetres());
    }
    assertEquals(0, report.total());
  }

  @Test
  void nyuStyleFolderRoundTripsDepthInMillimetres() throws Exception {
    Path root = dir.resolve("nyu");
    DatasetWriter.writeDenseFolder(gen, 0, 4, root, DenseFolderLayout.NYUV2, ImageFormat.PNG);
    List<Sample> read = read(new DenseFolder(root, DenseFolderLayout.NYUV2), new SkipReport());
    assertEquals(4, read.size());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(gen.sample(i).depthMetres(), read.get(i).depthMetres(), "0 = invalid and mm values survive");
    }
  }

  @Test
  void badDenseSamplesAreSkippedWithTheirReason() throws Exception {
    Path ade = dir.resolve("ade");
    DatasetWriter.writeDenseFolder(gen, 0, 4, ade, DenseFolderLayout.ADE20K, ImageFormat.PNG);
    Files.write(ade.resolve("annotations/000000001.png"), ImageCodec.encodeClassMap(10, 20, new byte[200]));
    Files.delete(ade.resolve("annotations/000000002.png"));
    SkipReport adeReport = new SkipReport();
    assertEquals(List.of("000000000", "000000003"),
        read(new DenseFolder(ade, DenseFolderLayout.ADE20K), adeReport).stream().map(Sample::key).toList());
    assertEquals(Map.of(SkipReason.SIZE_MISMATCH, 1L, SkipReason.MISSING_TARGET, 1L), adeReport.counts());

    Path nyu = dir.resolve("nyu");
    DatasetWriter.writeDenseFolder(gen, 0, 3, nyu, DenseFolderLayout.NYUV2, ImageFormat.PNG);
    Files.write(nyu.resolve("depth/000000000.png"), ImageCodec.encodeClassMap(20, 20, new byte[400])); // 8-bit depth
    Files.write(nyu.resolve("images/000000002.png"), new byte[] {1, 2, 3}); // corrupt image
    SkipReport nyuReport = new SkipReport();
    assertEquals(List.of("000000001"),
        read(new DenseFolder(nyu, DenseFolderLayout.NYUV2), nyuReport).stream().map(Sample::key).toList());
    assertEquals(Map.of(SkipReason.BAD_DEPTH_FORMAT, 1L, SkipReason.CORRUPT_IMAGE, 1L), nyuReport.counts());
  }

  @Test
  void missingFolderFailsNamingIt() {
    Path root = dir.resolve("nowhere");
    ShardOpenException e = assertThrows(ShardOpenException.class,
        () -> new DenseFolder(root, DenseFolderLayout.ADE20K).shards(10));
    assertEquals(root.resolve("images"), e.path());
  }

  @Test
  void loaderBatchesDenseTargetsFromFolderShards() throws Exception {
    Path root = dir.resolve("ade");
    DatasetWriter.writeDenseFolder(gen, 0, 6, root, DenseFolderLayout.ADE20K, ImageFormat.PNG);
    List<RecordShard> shards = new DenseFolder(root, DenseFolderLayout.ADE20K).shards(4);
    assertEquals(2, shards.size());
    LoaderOptions opt = LoaderOptions.builder().batchSize(3).imageSize(20).augment(false).shuffleBuffer(1)
        .classes(true).requireCaption(false).build();
    try (BatchLoader loader = new BatchLoader(shards, opt);
        ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
      int seen = 0;
      for (Batch next = loader.next(nd); next != null; next = loader.next(nd)) {
        try (Batch b = next) {
          assertEquals(ai.djl.ndarray.types.DataType.INT32, b.classes().getDataType());
          int[] classes = b.classes().toIntArray();
          for (int i = 0; i < b.size(); i++) {
            byte[] expected = gen.sample(Long.parseLong(b.keys().get(i))).classMap();
            for (int p = 0; p < 400; p++) {
              assertEquals(expected[p] & 0xFF, classes[i * 400 + p]);
            }
          }
          seen += b.size();
        }
      }
      assertEquals(6, seen);
    }
  }
}
