package dev.recap.api.dense;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Mean absolute depth error in metres over the valid pixels of the batch (target above
 * {@link DenseTask#INVALID_DEPTH}); invalid pixels contribute nothing.
 *
 * <p>Predictions {@code NDList(depth)} with depth {@code [B, 1, H, W]}; labels
 * {@code NDList(target)} with target {@code [B, H, W]}.
 */
public final class MaskedL1Loss extends Loss {

  public MaskedL1Loss() {
    super("depth_l1");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray depth = predictions.singletonOrThrow();
    NDArray target = labels.singletonOrThrow().toType(depth.getDataType(), false);
    DenseLossShapes.check("depth", depth, target);
    NDArray weight = target.gt(DenseTask.INVALID_DEPTH).toType(depth.getDataType(), false);
    NDArray count = ScalarOps.atLeast(weight.sum(), 1);
    return depth.squeeze(1).sub(target).abs().mul(weight).sum().div(count);
  }
}
