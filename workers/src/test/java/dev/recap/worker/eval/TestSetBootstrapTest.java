package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestSetBootstrapTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static long[] image(int numClasses, byte[] truth, int[] predicted) {
    ConfusionMatrix m = new ConfusionMatrix(numClasses);
    m.add(truth, predicted, "img");
    return m.nonZeroCells();
  }

  /** The standard deviation of the exact bootstrap distribution of two images: AA, AB, BA, BB equally likely. */
  private static double exactTwoImageStandardError(double aa, double ab, double bb) {
    double mean = aa / 4 + ab / 2 + bb / 4;
    return Math.sqrt((aa - mean) * (aa - mean) / 4 + (ab - mean) * (ab - mean) / 2 + (bb - mean) * (bb - mean) / 4);
  }

  @Test
  void identicalImagesGiveZeroStandardError() {
    long[] one = image(3, bytes(0, 0, 1, 2, 255), new int[] {0, 1, 1, 0, 2});
    Map<String, Double> seg = new TestSetBootstrap(50).segmentation(3, Collections.nCopies(20, one));
    assertEquals(Map.of("mIoU", 0.0, "aAcc", 0.0, "mAcc", 0.0), seg);

    DepthMetrics depth = new DepthMetrics();
    for (int i = 0; i < 20; i++) {
      depth.add(new float[] {1, 2, 4}, new float[] {1.5f, 2, 3}, "img-" + i);
    }
    Map<String, Double> se = new TestSetBootstrap(50).depth(depth.perImage());
    assertEquals(DepthMetrics.names(), List.copyOf(se.keySet()));
    se.forEach((metric, v) -> assertEquals(0.0, v, 0.0, metric));
  }

  @Test
  void twoDepthImagesMatchTheExactBootstrapOfTheirMean() {
    DepthMetrics depth = new DepthMetrics();
    depth.add(new float[] {2, 2}, new float[] {3, 1}, "a"); // rmse 1
    depth.add(new float[] {4, 4}, new float[] {7, 1}, "b"); // rmse 3
    double exact = exactTwoImageStandardError(1, 2, 3); // = |3 - 1| / (2 sqrt 2)
    assertEquals(1 / Math.sqrt(2), exact, 1e-15);
    // 4000 resamples: the estimate's relative error is about 1 / (2 sqrt 4000) = 0.8%
    double se = new TestSetBootstrap(4000).depth(depth.perImage()).get("rmse");
    assertEquals(exact, se, 0.04 * exact);
  }

  @Test
  void segmentationResamplesPoolConfusionMatricesInsteadOfAveragingPerImageIoU() {
    // A: four pixels of class 0, all right. B: four pixels of class 1, two predicted as 0.
    long[] a = image(2, bytes(0, 0, 0, 0), new int[] {0, 0, 0, 0});
    long[] b = image(2, bytes(1, 1, 1, 1), new int[] {1, 1, 0, 0});
    // AA: class 1 absent and never predicted, IoU0 = 1 -> mIoU 1
    // BB: IoU0 = 0 / 4 = 0 (predicted, never true), IoU1 = 4 / 8 -> mIoU 0.25
    // AB pooled: IoU0 = 4 / (4 + 6 - 4) = 2/3, IoU1 = 2 / (4 + 2 - 2) = 1/2 -> mIoU 7/12
    double exact = exactTwoImageStandardError(1.0, 7.0 / 12, 0.25);
    double se = new TestSetBootstrap(4000).segmentation(2, List.of(a, b)).get("mIoU");
    assertEquals(exact, se, 0.04 * exact);
  }

  @Test
  void theSameInputGivesTheSameStandardErrors() {
    DepthMetrics depth = new DepthMetrics();
    for (int i = 1; i <= 30; i++) {
      depth.add(new float[] {i, 2 * i}, new float[] {i + 1, 2 * i - 1}, "img-" + i);
    }
    assertEquals(new TestSetBootstrap(200).depth(depth.perImage()), new TestSetBootstrap(200).depth(depth.perImage()));
  }

  @Test
  void noImagesGiveNoStandardErrorsAndFewerThanTwoResamplesAreRefused() {
    assertTrue(new TestSetBootstrap(10).depth(List.of()).isEmpty());
    assertTrue(new TestSetBootstrap(10).segmentation(3, List.of()).isEmpty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TestSetBootstrap(1));
    assertTrue(e.getMessage().contains("at least 2 resamples"), e.getMessage());
  }
}
