package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A square 2-D convolution with "same" padding ({@code kernel / 2}): {@code weight
 * [out, in / groups, k, k]} and an optional {@code bias [out]}, PyTorch's layout.
 */
final class ConvLayer extends FixedShapeBlock {

  final int in;
  final int out;
  final int kernel;
  final int stride;
  final int groups;
  final Parameter weight;
  final Parameter bias;

  ConvLayer(int in, int out, int kernel, int stride, int groups, boolean withBias) {
    this(in, out, kernel, stride, groups, withBias, (float) Math.sqrt(1.0 / ((double) in / groups * kernel * kernel)));
  }

  ConvLayer(int in, int out, int kernel, int stride, int groups, boolean withBias, float initStd) {
    if (in % groups != 0 || out % groups != 0) {
      throw new IllegalArgumentException("channels " + in + " -> " + out + " are not divisible by groups " + groups);
    }
    this.in = in;
    this.out = out;
    this.kernel = kernel;
    this.stride = stride;
    this.groups = groups;
    weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(out, in / groups, kernel, kernel),
        new NormalInitializer(initStd));
    bias = withBias ? parameter("bias", Parameter.Type.BIAS, new Shape(out), Initializer.ZEROS) : null;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray b = bias == null ? null : valueLike(ps, bias, x, training);
    int pad = kernel / 2;
    return Conv2d.conv2d(x, valueLike(ps, weight, x, training), b, new Shape(stride, stride),
        new Shape(pad, pad), new Shape(1, 1), groups);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    int pad = kernel / 2;
    return new Shape[] {new Shape(s.get(0), out, (s.get(2) + 2L * pad - kernel) / stride + 1,
        (s.get(3) + 2L * pad - kernel) / stride + 1)};
  }

  /** This convolution's weights as a kernel (zero bias when it has none). */
  Kernel kernel() {
    float[] b = bias == null ? new float[out] : bias.getArray().toFloatArray();
    return new Kernel(out, in / groups, kernel, weight.getArray().toFloatArray(), b);
  }
}
