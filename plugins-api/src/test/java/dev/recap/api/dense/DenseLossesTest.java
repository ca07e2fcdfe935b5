package dev.recap.api.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DenseLossesTest {

  private static final double LN2 = Math.log(2);
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private float segLoss(float[] logits, int[] target) {
    // K = 2 classes, a 1 x 2 image: logits laid out [B=1, K=2, H=1, W=2]
    return new SegmentationCrossEntropy()
        .evaluate(new NDList(manager.create(target, new Shape(1, 1, 2))),
            new NDList(manager.create(logits, new Shape(1, 2, 1, 2))))
        .getFloat();
  }

  @Test
  void crossEntropyAveragesOverLabelledPixelsOnly() {
    float ln3 = (float) Math.log(3);
    // pixel 0: logits (0, 0), label 0 -> ln 2; pixel 1: logits (ln3, 0), label 1 -> p = 1/4 -> ln 4
    assertEquals(1.5 * LN2, segLoss(new float[] {0, ln3, 0, 0}, new int[] {0, 1}), 1e-6);
    // pixel 1 ignored: only ln 2 remains, and the count is 1, not 2
    assertEquals(LN2, segLoss(new float[] {0, ln3, 0, 0}, new int[] {0, 255}), 1e-6);
    // nothing labelled: 0, not NaN
    assertEquals(0f, segLoss(new float[] {0, ln3, 0, 0}, new int[] {255, 255}), 0f);
  }

  @Test
  void crossEntropyNamesALabelOutsideTheClassRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> segLoss(new float[] {0, 0, 0, 0}, new int[] {0, 7}));
    assertTrue(e.getMessage().contains("7") && e.getMessage().contains("[0, 2)"), e.getMessage());
  }

  private float depthLoss(ai.djl.training.loss.Loss loss, float[] pred, float[] target) {
    return loss.evaluate(new NDList(manager.create(target, new Shape(1, 1, 2))),
            new NDList(manager.create(pred, new Shape(1, 1, 1, 2))))
        .getFloat();
  }

  @Test
  void scaleInvariantLogLossMatchesEigensFormula() {
    // d = (ln 2, 2 ln 2): mean(d^2) = 2.5 ln2^2, mean(d)^2 = 2.25 ln2^2
    assertEquals((2.5 - 0.5 * 2.25) * LN2 * LN2,
        depthLoss(new ScaleInvariantLogLoss(0.5f), new float[] {2, 4}, new float[] {1, 1}), 1e-6);
    // lambda = 1: a prediction off by one global factor costs nothing
    assertEquals(0f, depthLoss(new ScaleInvariantLogLoss(1f), new float[] {6, 9}, new float[] {2, 3}), 1e-6);
    // the invalid pixel (target 0) is masked: only d = ln 2 on one pixel
    assertEquals((1 - 0.85) * LN2 * LN2,
        depthLoss(new ScaleInvariantLogLoss(), new float[] {2, 5}, new float[] {1, 0}), 1e-6);
  }

  @Test
  void maskedL1CountsValidPixelsOnly() {
    assertEquals(1f, depthLoss(new MaskedL1Loss(), new float[] {2, 5}, new float[] {1, 0}), 1e-6);
    assertEquals(2f, depthLoss(new MaskedL1Loss(), new float[] {2, 5}, new float[] {1, 2}), 1e-6);
  }

  @Test
  void depthTaskRejectsMoreThan255Classes() {
    assertThrows(IllegalArgumentException.class, () -> DenseTask.segmentation(256));
    assertEquals(255, DenseTask.IGNORE_CLASS);
  }
}
