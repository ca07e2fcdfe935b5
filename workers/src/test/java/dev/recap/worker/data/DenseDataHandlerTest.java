package dev.recap.worker.data;

import static dev.recap.worker.data.BenchmarkFolders.depthPng;
import static dev.recap.worker.data.BenchmarkFolders.image;
import static dev.recap.worker.data.BenchmarkFolders.labelPng;
import static dev.recap.worker.data.BenchmarkFolders.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseTask;
import dev.recap.worker.node.PermanentTaskFailure;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dense-data task on small benchmarks in their published layouts: it indexes the usable
 * pairs (images of mixed sizes), skips and counts the bad ones by reason, and the index reads
 * back with the benchmark's label conventions.
 */
class DenseDataHandlerTest {

  @TempDir
  Path dir;

  /** Runs the task; returns the index it declared. */
  private DenseIndex index(String format, Path root, String split, int limit, List<String> events) throws Exception {
    return DenseDataRun.index(dir.resolve("artifacts"), format, root, split, limit, events);
  }

  /** ADE20k training: two good pairs of different sizes, and one of each kind of bad file. */
  private Path adeWithBadFiles() throws Exception {
    Path root = BenchmarkFolders.ade20k(dir);
    // 40x30: top row "other" (0), left half wall (1), right half building (2)
    BenchmarkFolders.adePair(root, "training", "ADE_train_00000001", image(40, 30, (x, y) -> x * 6),
        labelPng(40, 30, map(40, 30, (x, y) -> y == 0 ? 0 : x < 20 ? 1 : 2)));
    // 30x50: flag (150) on the left, an out-of-range 151 on the right, floor (4) between
    BenchmarkFolders.adePair(root, "training", "ADE_train_00000002", image(30, 50, (x, y) -> y * 5),
        labelPng(30, 50, map(30, 50, (x, y) -> x < 10 ? 150 : x >= 25 ? 151 : 4)));
    Files.write(root.resolve("images/training/ADE_train_00000003.jpg"), new byte[] {1, 2, 3});
    Files.write(root.resolve("annotations/training/ADE_train_00000003.png"), labelPng(4, 4, new int[16]));
    BenchmarkFolders.adePair(root, "training", "ADE_train_00000004", image(20, 20, (x, y) -> 9),
        labelPng(20, 10, new int[200]));
    Files.write(root.resolve("images/training/ADE_train_00000005.jpg"),
        ImageCodec.encodeJpeg(image(8, 8, (x, y) -> 1), 0.95f));
    BenchmarkFolders.adePair(root, "validation", "ADE_val_00000001", image(64, 48, (x, y) -> x),
        labelPng(64, 48, map(64, 48, (x, y) -> 3)));
    return root;
  }

  @Test
  void ade20kPairsOfAnySizeAreIndexedWithZeroLabelReducedAndBadFilesCounted() throws Exception {
    Path root = adeWithBadFiles();
    List<String> events = new ArrayList<>();
    DenseIndex train = index("ade20k", root, "train", 0, events);
    assertEquals(List.of("ADE_train_00000001", "ADE_train_00000002"), train.entries().stream().map(DenseIndex.Entry::key).toList());
    assertEquals(new DenseIndex.Entry("ADE_train_00000001", "images/training/ADE_train_00000001.jpg",
        "annotations/training/ADE_train_00000001.png", 40, 30), train.entries().get(0));
    JsonObject manifest = train.manifest();
    assertEquals(5, manifest.getInteger("listed"));
    assertEquals(2, manifest.getInteger("count"));
    assertEquals(new JsonObject().put("CORRUPT_IMAGE", 1).put("MISSING_TARGET", 1).put("SIZE_MISMATCH", 1),
        manifest.getJsonObject("skipped"));
    assertEquals(3, manifest.getJsonArray("skippedFiles").size());
    assertEquals(150, train.classNames().size());
    assertEquals("wall", train.classNames().get(0));
    assertEquals("flag", train.classNames().get(149));
    assertEquals(3, events.size(), events.toString());
    assertTrue(events.get(0).startsWith("skipped sample ADE_train_00000003: CORRUPT_IMAGE"), events.get(0));
    assertTrue(events.get(1).startsWith("skipped sample ADE_train_00000004: SIZE_MISMATCH"), events.get(1));
    assertTrue(events.get(2).startsWith("skipped sample ADE_train_00000005: MISSING_TARGET"), events.get(2));

    List<Sample> samples = train.samples();
    Sample first = samples.get(0);
    assertEquals(40, first.image().width());
    assertEquals(30, first.image().height());
    // reduce_zero_label: 0 -> ignore, 1 -> 0, 2 -> 1
    assertEquals(DenseTask.IGNORE_CLASS, first.classMap()[5] & 0xFF, "row 0 is 'other'");
    assertEquals(0, first.classMap()[40 + 3] & 0xFF);
    assertEquals(1, first.classMap()[40 + 30] & 0xFF);
    Sample second = samples.get(1);
    assertEquals(149, second.classMap()[0] & 0xFF, "label 150 is the last class id");
    assertEquals(4 - 1, second.classMap()[12] & 0xFF);
    assertEquals(DenseTask.IGNORE_CLASS, second.classMap()[27] & 0xFF, "a label above 150 is ignored");

    DenseIndex test = index("ade20k", root, "test", 0, new ArrayList<>());
    assertEquals(List.of("ADE_val_00000001"), test.entries().stream().map(DenseIndex.Entry::key).toList());
    assertEquals("test", test.manifest().getString("split"));
  }

  @Test
  void aLimitTakesPairsSpreadOverTheListingAndStillSkipsBadOnes() throws Exception {
    Path root = adeWithBadFiles();
    // 5 listed, limit 2: positions floor(0 * 5 / 2) = 0 and floor(1 * 5 / 2) = 2, the corrupt one
    DenseIndex two = index("ade20k", root, "train", 2, new ArrayList<>());
    assertEquals(List.of("ADE_train_00000001"), two.entries().stream().map(DenseIndex.Entry::key).toList());
    assertEquals(new JsonObject().put("CORRUPT_IMAGE", 1), two.manifest().getJsonObject("skipped"));
    assertEquals(2, two.manifest().getInteger("limit"));
    // the task's result: what it read, kept and skipped, for the report's data table
    Path result;
    try (var files = Files.walk(dir.resolve("artifacts"))) {
      result = files.filter(p -> p.getFileName().toString().equals("result.json") && p.toString().contains("train-2-"))
          .findFirst().orElseThrow();
    }
    JsonObject summary = new JsonObject(Files.readString(result));
    assertEquals(5, summary.getInteger("listed"));
    assertEquals(2, summary.getInteger("samples"));
    assertEquals(1, summary.getInteger("kept"));
    assertEquals(1, summary.getInteger("training"));
    assertEquals(1, summary.getInteger("skippedTotal"));
    assertEquals("40x30", summary.getJsonObject("imageSizes").getString("smallest"));
  }

  @Test
  void nyuv2DepthIsMillimetresWithMissingMeasurementsKeptAndEightBitDepthSkipped() throws Exception {
    Path root = BenchmarkFolders.nyuv2(dir);
    BenchmarkFolders.nyuPair(root, "sync", "kitchen_0001", 1, image(64, 48, (x, y) -> x * 3),
        depthPng(64, 48, map(64, 48, (x, y) -> x < 4 ? 0 : 1500)));
    BenchmarkFolders.nyuPair(root, "sync", "kitchen_0001", 2, image(64, 48, (x, y) -> 7),
        labelPng(64, 48, new int[64 * 48]));
    BenchmarkFolders.nyuPair(root, "sync", "office_0003", 7, image(48, 40, (x, y) -> y),
        depthPng(48, 40, map(48, 40, (x, y) -> 2250)));
    BenchmarkFolders.nyuPair(root, "official_splits/test", "bathroom", 10, image(64, 48, (x, y) -> 0),
        depthPng(64, 48, map(64, 48, (x, y) -> 12000)));
    List<String> events = new ArrayList<>();
    DenseIndex train = index("nyuv2", root, "train", 0, events);
    assertEquals(List.of("kitchen_0001_00001", "office_0003_00007"), train.entries().stream().map(DenseIndex.Entry::key).toList());
    assertEquals("sync/kitchen_0001/sync_depth_00001.png", train.entries().get(0).target());
    assertEquals(new JsonObject().put("BAD_DEPTH_FORMAT", 1), train.manifest().getJsonObject("skipped"));
    assertTrue(events.get(0).startsWith("skipped sample kitchen_0001_00002: BAD_DEPTH_FORMAT"), events.toString());
    assertTrue(train.eigenCrop());
    assertEquals(1e-3, train.minDepth());
    assertEquals(10.0, train.maxDepth());
    assertTrue(train.classNames().isEmpty());
    float[] depth = train.samples().get(0).depthMetres();
    assertEquals(0f, depth[3], "no measurement stays 0");
    assertEquals(1.5f, depth[4]);
    assertArrayEquals(new int[] {48, 40}, new int[] {train.entries().get(1).width(), train.entries().get(1).height()});

    DenseIndex test = index("nyuv2", root, "test", 0, new ArrayList<>());
    assertEquals(List.of("bathroom_00010"), test.entries().stream().map(DenseIndex.Entry::key).toList());
    assertEquals(12f, test.samples().get(0).depthMetres()[0], 1e-6f, "beyond 10 m is kept in the data; the metrics leave it out");
  }

  @Test
  void aFolderWithoutTheLayoutFailsNamingWhatIsMissing() throws Exception {
    Path root = Files.createDirectories(dir.resolve("ADEChallengeData2016/images/training"));
    PermanentTaskFailure e = assertThrows(PermanentTaskFailure.class,
        () -> index("ade20k", root.getParent().getParent(), "train", 0, new ArrayList<>()));
    assertTrue(e.getMessage().contains("images/validation") && e.getMessage().contains("annotations/training"), e.getMessage());
  }
}
