package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Squeeze-and-excitation: global mean, 1x1 reduce, ReLU, 1x1 expand, sigmoid gate. */
final class SqueezeExcite extends FixedShapeBlock {

  private final ConvLayer reduce;
  private final ConvLayer expand;

  SqueezeExcite(int channels, int reduced) {
    reduce = addChildBlock("reduce", new ConvLayer(channels, reduced, 1, 1, 1, true));
    expand = addChildBlock("expand", new ConvLayer(reduced, channels, 1, 1, 1, true));
  }

  /** MobileOne's width: {@code int(channels * 0.0625)}. */
  static SqueezeExcite mobileOne(int channels) {
    return new SqueezeExcite(channels, Math.max(1, (int) (channels * 0.0625)));
  }

  /** timm's {@code SqueezeExcite(channels, rd_ratio=0.25)}: width rounded to a multiple of 8. */
  static SqueezeExcite timm(int channels) {
    double v = channels * 0.25;
    return new SqueezeExcite(channels, Math.max(8, (int) (v + 4) / 8 * 8));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray s = reduce.forward(ps, new NDList(x.mean(new int[] {3}, true).mean(new int[] {2}, true)), training, params).singletonOrThrow();
    s = expand.forward(ps, new NDList(Activation.relu(s)), training, params).singletonOrThrow();
    return new NDList(x.mul(Activation.sigmoid(s)));
  }
}
