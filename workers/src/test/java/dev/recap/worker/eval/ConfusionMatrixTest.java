package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void handComputedIoUsAccuraciesAndIgnoredPixels() {
    ConfusionMatrix cm = new ConfusionMatrix(3);
    // pixel 4 is labelled 255: skipped whatever is predicted there
    cm.add(bytes(0, 0, 1, 1, 255, 2), new int[] {0, 1, 1, 1, 0, 0}, "img");
    assertEquals(5, cm.total());
    assertEquals(1, cm.count(0, 0));
    assertEquals(1, cm.count(0, 1));
    assertEquals(2, cm.count(1, 1));
    assertEquals(1, cm.count(2, 0));
    // IoU0 = 1 / (2 + 2 - 1), IoU1 = 2 / (2 + 3 - 2), IoU2 = 0 / 1
    assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3, 0.0}, cm.perClassIoU(), 0.0);
    assertEquals(1.0 / 3, cm.meanIoU(), 1e-15);
    assertEquals(3.0 / 5, cm.pixelAccuracy(), 0.0);
    assertArrayEquals(new double[] {0.5, 1.0, 0.0}, cm.perClassAccuracy(), 0.0);
    assertEquals(0.5, cm.meanAccuracy(), 0.0);
  }

  @Test
  void accumulatesOverImagesBeforeDividing() {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    cm.add(bytes(0, 0), new int[] {0, 0}, "a");
    cm.add(bytes(0, 1), new int[] {1, 1}, "b");
    // summed counts: TP0 = 2, FN0 = 1, TP1 = 1, FP1 = 1 -> IoU0 = 2/3, IoU1 = 1/2
    // (per-image averaging would give something else: image a alone has IoU0 = 1)
    assertArrayEquals(new double[] {2.0 / 3, 0.5}, cm.perClassIoU(), 0.0);
    ConfusionMatrix other = new ConfusionMatrix(2);
    other.add(bytes(1), new int[] {1}, "c");
    cm.merge(other);
    assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3}, cm.perClassIoU(), 0.0);
  }

  @Test
  void classAbsentFromGroundTruthIsNaNUnlessPredictedThenZeroAsInMmsegmentation() {
    ConfusionMatrix cm = new ConfusionMatrix(3);
    cm.add(bytes(0, 0), new int[] {0, 2}, "img");
    double[] iou = cm.perClassIoU();
    assertEquals(0.5, iou[0], 0.0);
    assertTrue(Double.isNaN(iou[1]), "class 1: not in the ground truth, never predicted");
    assertEquals(0.0, iou[2], 0.0, "class 2: not in the ground truth but predicted once");
    assertEquals(0.25, cm.meanIoU(), 0.0);
    assertEquals(0.5, cm.pixelAccuracy(), 0.0);
    assertEquals(0.5, cm.meanAccuracy(), 0.0, "accuracy is over ground-truth classes only");
  }

  @Test
  void emptyMatrixHasNaNMetrics() {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    cm.add(bytes(255, 255), new int[] {0, 1}, "all-ignored");
    assertEquals(0, cm.total());
    assertTrue(Double.isNaN(cm.meanIoU()));
    assertTrue(Double.isNaN(cm.pixelAccuracy()));
  }

  @Test
  void errorsNameTheImageAndThePixel() {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    IllegalArgumentException truth =
        assertThrows(IllegalArgumentException.class, () -> cm.add(bytes(0, 7), new int[] {0, 0}, "scene-00042"));
    assertTrue(truth.getMessage().contains("scene-00042") && truth.getMessage().contains("class 7"), truth.getMessage());
    IllegalArgumentException pred =
        assertThrows(IllegalArgumentException.class, () -> cm.add(bytes(0), new int[] {5}, "scene-1"));
    assertTrue(pred.getMessage().contains("predicted class 5"), pred.getMessage());
    assertThrows(IllegalArgumentException.class, () -> cm.add(bytes(0), new int[] {0, 0}, "scene-2"));
  }
}
