package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DepthMetricsTest {

  @Test
  void singleImageByHand() {
    DepthMetrics dm = new DepthMetrics();
    // pixel 2 has depth 0 (invalid): its prediction of 5 m does not count
    dm.add(new float[] {1, 2, 0}, new float[] {2, 2, 5}, "img");
    Map<String, Double> m = dm.metrics();
    assertEquals(Math.sqrt(0.5), m.get("rmse"), 1e-15);
    assertEquals(0.5, m.get("absRel"), 0.0);
    assertEquals(0.5, m.get("sqRel"), 0.0);
    assertEquals(Math.log10(2) / 2, m.get("log10"), 1e-15);
    assertEquals(Math.log(2) / Math.sqrt(2), m.get("rmseLog"), 1e-15);
    // ratios 2 and 1: 1.25 < 2, 1.5625 < 2, 1.953125 < 2 -> only the exact pixel passes each
    assertEquals(0.5, m.get("delta1"), 0.0);
    assertEquals(0.5, m.get("delta2"), 0.0);
    assertEquals(0.5, m.get("delta3"), 0.0);
  }

  @Test
  void averagesPerImageErrorsOverImagesAndSkipsImagesWithoutValidPixels() {
    DepthMetrics dm = new DepthMetrics();
    dm.add(new float[] {1, 2, 0}, new float[] {2, 2, 5}, "a");
    dm.add(new float[] {4}, new float[] {5}, "b");
    dm.add(new float[] {0, 0}, new float[] {1, 1}, "all-invalid");
    assertEquals(2, dm.images());
    assertEquals(1, dm.skippedImages());
    Map<String, Double> m = dm.metrics();
    assertEquals((Math.sqrt(0.5) + 1) / 2, m.get("rmse"), 1e-15);
    assertEquals((0.5 + 0.25) / 2, m.get("absRel"), 0.0);
    assertEquals((0.5 + 0.25) / 2, m.get("sqRel"), 0.0);
    assertEquals((Math.log10(2) / 2 + Math.log10(1.25)) / 2, m.get("log10"), 1e-15);
    // ratio exactly 1.25 is not below 1.25
    assertEquals((0.5 + 0) / 2, m.get("delta1"), 0.0);
    assertEquals((0.5 + 1) / 2, m.get("delta2"), 0.0);
    assertEquals((0.5 + 1) / 2, m.get("delta3"), 0.0);
  }

  @Test
  void predictionsAreClampedAboveZero() {
    DepthMetrics dm = new DepthMetrics();
    dm.add(new float[] {1}, new float[] {-3}, "img");
    assertEquals(1 - DepthMetrics.MIN_PREDICTION, dm.metrics().get("rmse"), 1e-15);
    assertTrue(Double.isFinite(dm.metrics().get("log10")));
  }

  @Test
  void noImageGivesNaNAndMismatchedSizesNameTheImage() {
    assertTrue(Double.isNaN(new DepthMetrics().metrics().get("rmse")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DepthMetrics().add(new float[] {1, 2}, new float[] {1}, "scene-7"));
    assertTrue(e.getMessage().contains("scene-7"), e.getMessage());
  }

  @Test
  void aBenchmarksRangeLeavesOutTruthAtItsBoundsAndClampsPredictions() {
    DepthMetrics dm = new DepthMetrics(new DepthEvaluation(1e-3, 10, false));
    // 1 mm (0.001f, compared in float as NumPy does) is not above 1e-3, 10 m is not below 10:
    // only the 5 m pixel counts, and its prediction of 20 m is clamped to 10: error 5
    dm.add(new float[] {0.001f, 10, 5}, new float[] {1, 1, 20}, "img");
    assertEquals(1, dm.pixels());
    assertEquals(5, dm.metrics().get("rmse"), 1e-6);
    assertEquals(1, dm.metrics().get("absRel"), 1e-6);
  }

  @Test
  void theEigenCropIsExactOnThePublishedSizeAndScaledOnOthers() {
    assertArrayEquals(new int[] {45, 471, 41, 601}, DepthEvaluation.NYUV2_EIGEN.crop(640, 480));
    // half size: 22.5, 235.5, 20.5, 300.5 rounded half up
    assertArrayEquals(new int[] {23, 236, 21, 301}, DepthEvaluation.NYUV2_EIGEN.crop(320, 240));
    assertArrayEquals(new int[] {0, 48, 0, 64}, DepthEvaluation.ALL_MEASURED.crop(64, 48));
    // a 2x3 image scored through a crop: only the pixels inside it count
    DepthMetrics cropped = new DepthMetrics(new DepthEvaluation(0, 100, true));
    assertThrows(IllegalStateException.class, () -> cropped.add(new float[] {1}, new float[] {1}, "no size"));
  }
}
