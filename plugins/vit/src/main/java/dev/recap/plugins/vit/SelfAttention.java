package dev.recap.plugins.vit;

import dev.recap.api.Kernels;
import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention over {@code [B, N, W]} tokens, laid out as PyTorch's
 * {@code nn.MultiheadAttention}: one packed {@code in_proj_weight [3W, W]} (q, k, v stacked),
 * {@code in_proj_bias [3W]}, and an {@code out_proj} linear.
 */
final class SelfAttention extends FixedShapeBlock {

  private final int width;
  private final int heads;
  private final Parameter inProjWeight;
  private final Parameter inProjBias;
  private final LinearLayer outProj;

  SelfAttention(int width, int heads) {
    this.width = width;
    this.heads = heads;
    inProjWeight = parameter("in_proj_weight", Parameter.Type.WEIGHT, new Shape(3L * width, width),
        new NormalInitializer((float) Math.pow(width, -0.5)));
    inProjBias = parameter("in_proj_bias", Parameter.Type.BIAS, new Shape(3L * width), Initializer.ZEROS);
    outProj = addChildBlock("out_proj", new LinearLayer(width, width));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(Kernels.current().selfAttention(x, valueLike(ps, inProjWeight, x, training),
        valueLike(ps, inProjBias, x, training), outProj.weight(ps, x, training), outProj.bias(ps, x, training), heads, null));
  }
}
