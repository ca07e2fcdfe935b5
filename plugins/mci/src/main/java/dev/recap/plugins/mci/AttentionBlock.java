package dev.recap.plugins.mci;

import dev.recap.api.Kernels;
import dev.recap.api.ScalarOps;
import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A stage-4 block: {@code x + ls1 * mhsa(norm(x))}, then {@code x + ls2 * convffn(x)}, with
 * BatchNorm as {@code norm} (the reference's default) and multi-head self-attention over the
 * {@code H x W} positions (head width {@code headDim}, no qkv bias).
 */
final class AttentionBlock extends FixedShapeBlock {

  private final int dim;
  private final int headDim;
  private final BatchNormLayer norm;
  private final Parameter qkv;
  private final Parameter projWeight;
  private final Parameter projBias;
  private final ConvFfn ffn;
  private final Parameter layerScale1;
  private final Parameter layerScale2;

  AttentionBlock(int dim, int hidden, int headDim, float layerScaleInit) {
    this.dim = dim;
    this.headDim = headDim;
    norm = addChildBlock("norm", new BatchNormLayer(dim));
    qkv = parameter("qkv_weight", Parameter.Type.WEIGHT, new Shape(3L * dim, dim), new NormalInitializer(0.02f));
    projWeight = parameter("proj_weight", Parameter.Type.WEIGHT, new Shape(dim, dim), new NormalInitializer(0.02f));
    projBias = parameter("proj_bias", Parameter.Type.BIAS, new Shape(dim), Initializer.ZEROS);
    ffn = addChildBlock("convffn", new ConvFfn(dim, hidden));
    layerScale1 = parameter("layer_scale_1", Parameter.Type.WEIGHT, new Shape(dim, 1, 1),
        new ConstantInitializer(layerScaleInit));
    layerScale2 = parameter("layer_scale_2", Parameter.Type.WEIGHT, new Shape(dim, 1, 1),
        new ConstantInitializer(layerScaleInit));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    long b = s.get(0);
    long h = s.get(2);
    long w = s.get(3);
    long n = h * w;
    int heads = dim / headDim;
    NDArray tokens = norm.forward(ps, inputs, training, params).singletonOrThrow().reshape(b, dim, n).transpose(0, 2, 1);
    Kernels products = Kernels.current();
    NDArray split = products.linear(tokens, valueLike(ps, qkv, tokens, training), null)
        .reshape(b, n, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
    NDArray q = ScalarOps.times(split.get(0), 1.0 / Math.sqrt(headDim));
    NDArray attention = asTypeOf(float32(products.matMul(q, split.get(1).transpose(0, 1, 3, 2))).softmax(-1), q);
    NDArray mixed = products.matMul(attention, split.get(2)).transpose(0, 2, 1, 3).reshape(b, n, dim);
    mixed = products.linear(mixed, valueLike(ps, projWeight, mixed, training), valueLike(ps, projBias, mixed, training))
        .transpose(0, 2, 1).reshape(b, dim, h, w);
    x = x.add(valueLike(ps, layerScale1, x, training).mul(mixed));
    NDArray f = ffn.forward(ps, new NDList(x), training, params).singletonOrThrow();
    return new NDList(x.add(valueLike(ps, layerScale2, x, training).mul(f)));
  }
}
