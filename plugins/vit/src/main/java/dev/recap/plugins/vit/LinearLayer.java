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

/** {@code y = x W^T + b} on the last axis, {@code W} stored {@code [out, in]} as in PyTorch. */
final class LinearLayer extends FixedShapeBlock {

  private final int out;
  private final Parameter weight;
  private final Parameter bias;

  LinearLayer(int in, int out) {
    this.out = out;
    weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(out, in), new NormalInitializer(0.02f));
    bias = parameter("bias", Parameter.Type.BIAS, new Shape(out), Initializer.ZEROS);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(Kernels.current().linear(x, valueLike(ps, weight, x, training), valueLike(ps, bias, x, training)));
  }

  /** The weight {@code [out, in]} as used on {@code like}'s device and dtype. */
  NDArray weight(ParameterStore ps, NDArray like, boolean training) {
    return valueLike(ps, weight, like, training);
  }

  /** The bias {@code [out]} as used on {@code like}'s device and dtype. */
  NDArray bias(ParameterStore ps, NDArray like, boolean training) {
    return valueLike(ps, bias, like, training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {in.slice(0, in.dimension() - 1).add(out)};
  }
}
