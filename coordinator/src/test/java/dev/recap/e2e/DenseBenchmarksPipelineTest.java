package dev.recap.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.RgbImage;
import dev.recap.bus.OutputKind;
import dev.recap.coordinator.plan.TaskOutputs;
import dev.recap.worker.data.ImageCodec;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dense benchmarks as published, end to end on the embedded cluster: a tiny synth-data stage
 * feeds a tiny MAE pretraining, and the evaluate stage scores that encoder's segmentation on an
 * {@code ADEChallengeData2016} folder and its depth on an {@code nyu_depth_v2} folder (BTS's
 * layout), both with images of mixed sizes, label 0 and missing depth present, and one bad file
 * each. The scores are counted on the original labels: every labelled ADE20k pixel, and every
 * NYUv2 pixel inside the Eigen crop and the 1e-3..10 m range, at the labels' own resolution.
 */
class DenseBenchmarksPipelineTest {

  /** The run's image size: the encoder's input size, the training crops' and the windows' size. */
  private static final int INPUT = 64;

  private static RgbImage image(int w, int h, IntBinaryOperator red) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        rgb[(y * w + x) * 3] = (byte) red.applyAsInt(x, y);
        rgb[(y * w + x) * 3 + 1] = 90;
        rgb[(y * w + x) * 3 + 2] = (byte) (255 - red.applyAsInt(x, y));
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static byte[] labels(int w, int h, IntBinaryOperator label) {
    byte[] b = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b[y * w + x] = (byte) label.applyAsInt(x, y);
      }
    }
    return ImageCodec.encodeClassMap(w, h, b);
  }

  private static byte[] depthMillimetres(int w, int h, IntBinaryOperator mm) {
    float[] m = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m[y * w + x] = mm.applyAsInt(x, y) / 1000f;
      }
    }
    return ImageCodec.encodeDepth(w, h, m);
  }

  /** ADE20k scene: rows above {@code h / 8} "other" (0), then wall (1) dark on the left, building (2) bright on the right. */
  private static int adeLabel(int x, int y, int w, int h) {
    return y < h / 8 ? 0 : x < w / 2 ? 1 : 2;
  }

  /** Writes an ADE20k pair; returns its labelled (non-zero) pixels. */
  private static long adePair(Path root, String split, String key, int w, int h) throws Exception {
    Files.write(root.resolve("images/" + split + "/" + key + ".jpg"),
        ImageCodec.encodeJpeg(image(w, h, (x, y) -> x < w / 2 ? 40 : 210), 0.95f));
    Files.write(root.resolve("annotations/" + split + "/" + key + ".png"), labels(w, h, (x, y) -> adeLabel(x, y, w, h)));
    return (long) (h - h / 8) * w;
  }

  private static Path ade20k(Path parent, long[] labelledTestPixels) throws Exception {
    Path root = parent.resolve("ADEChallengeData2016");
    for (String f : new String[] {"images/training", "images/validation", "annotations/training", "annotations/validation"}) {
      Files.createDirectories(root.resolve(f));
    }
    adePair(root, "training", "ADE_train_00000001", 96, 72);
    adePair(root, "training", "ADE_train_00000002", 72, 100);
    adePair(root, "training", "ADE_train_00000003", 80, 80);
    Files.write(root.resolve("images/training/ADE_train_00000004.jpg"), "not a jpeg".getBytes());
    Files.write(root.resolve("annotations/training/ADE_train_00000004.png"), labels(8, 8, (x, y) -> 1));
    labelledTestPixels[0] = adePair(root, "validation", "ADE_val_00000001", 100, 75)
        + adePair(root, "validation", "ADE_val_00000002", 64, 90);
    return root;
  }

  /** NYUv2 depth in mm: 0 (no measurement) in a band of rows, 12 m (beyond the cap) in another, 1.5..4.5 m elsewhere. */
  private static int nyuMillimetres(int x, int y, int w, int h) {
    if (y >= h / 4 && y < h / 4 + 6) {
      return 0;
    }
    if (y >= h / 2 && y < h / 2 + 4) {
      return 12000;
    }
    return 1500 + 3000 * x / w;
  }

  private static void nyuPair(Path root, String folder, String scene, int index, int w, int h) throws Exception {
    Path dir = Files.createDirectories(root.resolve(folder).resolve(scene));
    Files.write(dir.resolve(String.format("rgb_%05d.jpg", index)),
        ImageCodec.encodeJpeg(image(w, h, (x, y) -> 40 + 170 * x / w), 0.95f));
    Files.write(dir.resolve(String.format("sync_depth_%05d.png", index)),
        depthMillimetres(w, h, (x, y) -> nyuMillimetres(x, y, w, h)));
  }

  /**
   * The pixels the Eigen-split evaluation scores in a {@code w x h} map of {@link #nyuMillimetres}:
   * inside the crop (rows 45..470, columns 41..600 of 480x640; the half-size image's bounds are
   * those halved and rounded: 23..235, 21..300) and with 1 mm < depth < 10 m.
   */
  private static long scoredNyuPixels(int w, int h, int top, int bottom, int left, int right) {
    long n = 0;
    for (int y = top; y < bottom; y++) {
      for (int x = left; x < right; x++) {
        int mm = nyuMillimetres(x, y, w, h);
        if (mm > 1 && mm < 10_000) {
          n++;
        }
      }
    }
    return n;
  }

  private static Path nyuv2(Path parent) throws Exception {
    Path root = parent.resolve("nyu_depth_v2");
    nyuPair(root, "sync", "living_room_0001", 1, 80, 60);
    nyuPair(root, "sync", "living_room_0001", 2, 64, 64);
    Path dir = root.resolve("sync/study_0002");
    Files.createDirectories(dir);
    Files.write(dir.resolve("rgb_00003.jpg"), ImageCodec.encodeJpeg(image(64, 48, (x, y) -> 9), 0.95f));
    Files.write(dir.resolve("sync_depth_00003.png"), labels(64, 48, (x, y) -> 3)); // 8-bit: not a depth map
    nyuPair(root, "official_splits/test", "bedroom", 10, 640, 480);
    nyuPair(root, "official_splits/test", "kitchen", 11, 320, 240);
    return root;
  }

  @Test
  void segmentationOnAde20kAndDepthOnNyuv2AreScoredAtTheLabelsResolution(@TempDir Path tmp) throws Exception {
    long[] labelled = new long[1];
    Path ade = ade20k(tmp.resolve("data"), labelled);
    Path nyu = nyuv2(tmp.resolve("data"));
    String yaml = """
        name: dense-benchmarks
        seed: 5
        maxAttempts: 1
        stages:
          - {name: data, kind: synth-data, source: synth-scenes, sourceConfig: {preset: synth-64}, pairs: 64, shardSize: 64,
             referenceFraction: 0, heldOut: 8, denseTrain: 4, denseTest: 4}
          - {name: ade, kind: dense-data, format: ade20k, root: '%s'}
          - {name: nyu, kind: dense-data, format: nyuv2, root: '%s'}
          - name: pretrain
            kind: pretrain
            after: [data]
            seeds: [1]
            imageSize: %d
            batchSize: 32
            epochs: 1
            warmupSteps: 1
            runs: [{name: vit-mae, objective: mae, encoder: vit, encoderConfig: {preset: vit-tiny}}]
          - name: evaluate
            kind: evaluate
            after: [data, pretrain, ade, nyu]
            tasks: [segmentation, depth]
            protocols: [frozen]
            retrieval: false
            frozen: {epochs: 2, batchSize: 8, predictions: 1, bootstrapResamples: 20}
        """.formatted(ade, nyu, INPUT);
    EmbeddedJobRun job = EmbeddedJobRun.run(tmp, yaml, "dense-benchmarks", Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", job.done().state(), () -> "job failed: " + job.done().cause());

    for (String task : new String[] {"ade/train", "ade/test", "nyu/train", "nyu/test"}) {
      TaskOutputs declared = job.declared().get(job.jobId() + "/" + task);
      assertEquals(1, declared.ofKind(OutputKind.DENSE_INDEX).size(), task + " declared " + declared.kinds());
    }

    JsonObject seg = result(job.tasks(), "evaluate_vit-mae-s1-frozen-segmentation-f1.0");
    JsonObject segData = seg.getJsonObject("data");
    assertEquals("ade20k", segData.getString("format"));
    assertEquals(3, segData.getJsonObject("train").getInteger("indexed"));
    assertEquals(1, segData.getJsonObject("train").getJsonObject("skipped").getInteger("CORRUPT_IMAGE"));
    assertEquals(3, seg.getInteger("trainSamples"));
    assertEquals(2, seg.getInteger("testSamples"));
    JsonObject segScoring = seg.getJsonObject("scoring");
    assertEquals(INPUT, segScoring.getInteger("inputSize"));
    // 100x75 scales to 85x64 (two windows), 64x90 is already 64 wide (windows at y 0 and 26)
    assertEquals(4, segScoring.getInteger("testWindows"));
    assertEquals(labelled[0], segScoring.getLong("scoredPixels"), "every labelled pixel of the original 100x75 and 64x90 labels");
    double miou = seg.getJsonObject("metrics").getDouble("mIoU");
    assertTrue(miou >= 0 && miou <= 1, "mIoU " + miou);
    assertEquals(150, seg.getJsonObject("perClassIoU").size());
    assertTrue(seg.getJsonObject("bootstrap").getJsonObject("standardErrors").containsKey("mIoU"));

    JsonObject depth = result(job.tasks(), "evaluate_vit-mae-s1-frozen-depth-f1.0");
    assertEquals("nyuv2", depth.getJsonObject("data").getString("format"));
    assertEquals(1, depth.getJsonObject("data").getJsonObject("train").getJsonObject("skipped").getInteger("BAD_DEPTH_FORMAT"));
    long expected = scoredNyuPixels(640, 480, 45, 471, 41, 601) + scoredNyuPixels(320, 240, 23, 236, 21, 301);
    assertEquals(expected, depth.getJsonObject("scoring").getLong("scoredPixels"),
        "the Eigen crop and 1e-3..10 m range of the original 640x480 and 320x240 depth maps");
    double rmse = depth.getJsonObject("metrics").getDouble("rmse");
    assertTrue(Double.isFinite(rmse) && rmse > 0 && rmse <= 10, "RMSE " + rmse + " m (predictions are clamped to 10 m)");
  }

  private static JsonObject result(Map<String, Path> tasks, String task) throws Exception {
    Path dir = tasks.get(task);
    assertTrue(dir != null, "no task " + task + " among " + tasks.keySet());
    return new JsonObject(Files.readString(dir.resolve("result.json")));
  }
}
