package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A bias-free convolution followed by BatchNorm ({@code conv}, {@code bn}); fuses into one kernel. */
final class ConvBn extends FixedShapeBlock {

  final ConvLayer conv;
  final BatchNormLayer bn;

  ConvBn(int in, int out, int kernel, int stride, int groups) {
    conv = addChildBlock("conv", new ConvLayer(in, out, kernel, stride, groups, false));
    bn = addChildBlock("bn", new BatchNormLayer(out));
  }

  ConvBn(ConvLayer conv) {
    this.conv = addChildBlock("conv", conv);
    bn = addChildBlock("bn", new BatchNormLayer(conv.out));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return bn.forward(ps, conv.forward(ps, inputs, training, params), training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return conv.getOutputShapes(inputShapes);
  }

  /** The single convolution equal to this block in inference mode. */
  Kernel fusedKernel() {
    return conv.kernel().normalizedBy(bn);
  }
}
