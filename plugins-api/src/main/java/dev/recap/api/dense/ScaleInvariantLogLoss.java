package dev.recap.api.dense;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The scale-invariant log loss of Eigen et al. (2014) for depth:
 * {@code mean(d^2) - lambda * mean(d)^2} with {@code d = log(pred) - log(target)} over the valid
 * pixels of the batch (target above {@link DenseTask#INVALID_DEPTH}). {@code lambda = 0} is the
 * plain squared log error, {@code lambda = 1} ignores the global scale entirely; values near
 * 0.85 (as in BTS/AdaBins) keep some pressure on the absolute scale, which RMSE in metres needs.
 *
 * <p>Predictions {@code NDList(depth)} with depth {@code [B, 1, H, W]}, positive metres (values
 * are clamped to at least {@code 1e-6} before the log); labels {@code NDList(target)} with
 * target {@code [B, H, W]} in metres.
 */
public final class ScaleInvariantLogLoss extends Loss {

  private final float lambda;

  /** With {@code lambda = 0.85}. */
  public ScaleInvariantLogLoss() {
    this(0.85f);
  }

  /** @param lambda weight of the squared-mean term, in [0, 1] */
  public ScaleInvariantLogLoss(float lambda) {
    super("depth_silog");
    if (!(lambda >= 0f && lambda <= 1f)) {
      throw new IllegalArgumentException("scale-invariant loss lambda must be in [0, 1], got " + lambda);
    }
    this.lambda = lambda;
  }

  public float lambda() {
    return lambda;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray depth = predictions.singletonOrThrow();
    NDArray target = labels.singletonOrThrow().toType(depth.getDataType(), false);
    DenseLossShapes.check("depth", depth, target);
    NDArray pred = depth.squeeze(1);
    NDArray valid = target.gt(DenseTask.INVALID_DEPTH);
    NDArray weight = valid.toType(depth.getDataType(), false);
    // log(1) = 0 where invalid, so masked pixels add nothing and no log(0) is ever taken
    NDArray safeTarget = target.mul(weight).add(weight.neg().add(1f));
    NDArray d = ScalarOps.atLeast(pred, 1e-6).log().sub(safeTarget.log()).mul(weight);
    NDArray count = ScalarOps.atLeast(weight.sum(), 1);
    NDArray mean = d.sum().div(count);
    return d.square().sum().div(count).sub(mean.square().mul(lambda));
  }
}
