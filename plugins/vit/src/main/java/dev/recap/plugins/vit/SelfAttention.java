package dev.recap.plugins.vit;

import dev.recap.api.MatrixProducts;
import dev.recap.api.ScalarOps;
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
    long b = x.getShape().get(0);
    long n = x.getShape().get(1);
    int headDim = width / heads;
    MatrixProducts products = MatrixProducts.current();
    NDArray qkv = products.linear(x, valueLike(ps, inProjWeight, x, training), valueLike(ps, inProjBias, x, training));
    // [B, N, 3W] -> three [B, heads, N, hd]. split (not get(i) on a [3, ...] view): its backward
    // concatenates the three gradients, where select's backward zero-fills a full [3, ...] buffer
    // per slice (profiled: ~10% of a tiny-CLIP training step went to those fills and copies)
    NDList parts = qkv.split(3, 2);
    NDArray q = ScalarOps.times(heads(parts.get(0), b, n, headDim), 1.0 / Math.sqrt(headDim));
    NDArray k = heads(parts.get(1), b, n, headDim);
    NDArray v = heads(parts.get(2), b, n, headDim);
    NDArray attention = asTypeOf(float32(products.matMul(q, k.transpose(0, 1, 3, 2))).softmax(-1), x);
    NDArray mixed = products.matMul(attention, v).transpose(0, 2, 1, 3).reshape(b, n, width);
    return outProj.forward(ps, new NDList(mixed), training, params);
  }

  private NDArray heads(NDArray t, long b, long n, int headDim) {
    return t.reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);
  }
}
