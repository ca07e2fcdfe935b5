package dev.recap.api.dense;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Per-pixel softmax cross-entropy for semantic segmentation, averaged over the labelled pixels
 * of the batch; pixels labelled {@link DenseTask#IGNORE_CLASS} contribute nothing (neither to
 * the sum nor to the count), as in mmsegmentation's {@code ignore_index=255}.
 *
 * <p>Predictions {@code NDList(logits)} with logits {@code [B, K, H, W]}; labels
 * {@code NDList(target)} with target {@code [B, H, W]} of class ids (any integer or float
 * type). A batch with no labelled pixel gives a loss of 0 that still depends on the logits, so
 * backward works.
 */
public final class SegmentationCrossEntropy extends Loss {

  public SegmentationCrossEntropy() {
    super("segmentation_ce");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    NDArray target = labels.singletonOrThrow();
    DenseLossShapes.check("segmentation", logits, target);
    int numClasses = (int) logits.getShape().get(1);
    NDArray ids = target.toType(DataType.INT64, false);
    NDArray valid = ids.neq(DenseTask.IGNORE_CLASS);
    // a label outside [0, K) that is not 255 is a data error, not something to average over
    NDArray bad = valid.logicalAnd(ids.lt(0).logicalOr(ids.gte(numClasses)));
    if (bad.any().getBoolean()) {
      long badId = ids.get(bad).getLong(0);
      throw new IllegalArgumentException(
          "segmentation label " + badId + " is outside [0, " + numClasses + ") and is not the ignore id "
              + DenseTask.IGNORE_CLASS + ": check the class map against the task's numClasses");
    }
    NDArray safeIds = ids.mul(valid.toType(DataType.INT64, false)).expandDims(1);
    NDArray logProb = logits.logSoftmax(1).gather(safeIds, 1).squeeze(1);
    NDArray weight = valid.toType(logits.getDataType(), false);
    NDArray count = ScalarOps.atLeast(weight.sum(), 1);
    return logProb.mul(weight).sum().neg().div(count);
  }
}
