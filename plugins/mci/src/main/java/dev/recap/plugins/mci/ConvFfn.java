package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** FastViT's convolutional FFN: depthwise 7x7 conv-BN, 1x1 expand, GELU, 1x1 project. */
final class ConvFfn extends FixedShapeBlock {

  private static final float INIT_STD = 0.02f;

  private final ConvBn conv;
  private final ConvLayer fc1;
  private final ConvLayer fc2;

  ConvFfn(int dim, int hidden) {
    conv = addChildBlock("conv", new ConvBn(new ConvLayer(dim, dim, 7, 1, dim, false, INIT_STD)));
    fc1 = addChildBlock("fc1", new ConvLayer(dim, hidden, 1, 1, 1, true, INIT_STD));
    fc2 = addChildBlock("fc2", new ConvLayer(hidden, dim, 1, 1, 1, true, INIT_STD));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = conv.forward(ps, inputs, training, params);
    x = Activation.gelu(fc1.forward(ps, x, training, params));
    return fc2.forward(ps, x, training, params);
  }
}
