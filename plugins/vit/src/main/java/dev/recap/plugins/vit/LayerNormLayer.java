package dev.recap.plugins.vit;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/** LayerNorm over the last axis with PyTorch's parameter names ({@code weight}, {@code bias}). */
final class LayerNormLayer extends FixedShapeBlock {

  static final float EPS = 1e-5f;

  private final int width;
  private final Parameter weight;
  private final Parameter bias;

  LayerNormLayer(int width) {
    this.width = width;
    weight = parameter("weight", Parameter.Type.GAMMA, new Shape(width), Initializer.ONES);
    bias = parameter("bias", Parameter.Type.BETA, new Shape(width), Initializer.ZEROS);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray in = float32(x);
    NDArray y = LayerNorm.layerNorm(in, new Shape(width), valueLike(ps, weight, in, training),
        valueLike(ps, bias, in, training), EPS).singletonOrThrow();
    return new NDList(asTypeOf(y, x));
  }
}
