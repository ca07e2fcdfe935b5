package dev.recap.plugins.mci;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * A convolution's weights in host memory, {@code weight [out, inPerGroup, k, k]} and
 * {@code bias [out]}: the algebra of structural reparameterization (BatchNorm folding, identity
 * branches, kernel padding, branch sums), in double precision before the final rounding.
 */
record Kernel(int out, int inPerGroup, int k, float[] weight, float[] bias) {

  Kernel {
    if (weight.length != out * inPerGroup * k * k || bias.length != out) {
      throw new IllegalArgumentException("kernel arrays do not match [" + out + ", " + inPerGroup + ", " + k + ", " + k + "]");
    }
  }

  /** The identity map of a {@code channels}-channel convolution with {@code groups} groups. */
  static Kernel identity(int channels, int groups, int k) {
    int inPerGroup = channels / groups;
    float[] w = new float[channels * inPerGroup * k * k];
    for (int c = 0; c < channels; c++) {
      w[((c * inPerGroup + c % inPerGroup) * k + k / 2) * k + k / 2] = 1f;
    }
    return new Kernel(channels, inPerGroup, k, w, new float[channels]);
  }

  /** BatchNorm (inference mode) applied after this convolution, folded in. */
  Kernel normalizedBy(BatchNormLayer bn) {
    double[] scale = bn.scale();
    double[] shift = bn.shift();
    int per = inPerGroup * k * k;
    float[] w = new float[weight.length];
    float[] b = new float[out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < per; i++) {
        w[o * per + i] = (float) (weight[o * per + i] * scale[o]);
      }
      b[o] = (float) (bias[o] * scale[o] + shift[o]);
    }
    return new Kernel(out, inPerGroup, k, w, b);
  }

  /** This kernel zero-padded (centered) to {@code size x size}. */
  Kernel paddedTo(int size) {
    if (size == k) {
      return this;
    }
    int off = (size - k) / 2;
    float[] w = new float[out * inPerGroup * size * size];
    for (int oi = 0; oi < out * inPerGroup; oi++) {
      for (int y = 0; y < k; y++) {
        for (int x = 0; x < k; x++) {
          w[(oi * size + y + off) * size + x + off] = weight[(oi * k + y) * k + x];
        }
      }
    }
    return new Kernel(out, inPerGroup, size, w, bias.clone());
  }

  /** The sum of two parallel branches of the same shape. */
  Kernel plus(Kernel other) {
    return combine(other, 1, 1, null);
  }

  /** {@code this + scale[o] * (a - b)} per output channel, as RepMixer's fusion needs. */
  Kernel plusScaledDifference(Kernel a, Kernel b, float[] scale) {
    Kernel diff = a.combine(b, 1, -1, null);
    return combine(diff, 1, 1, scale);
  }

  private Kernel combine(Kernel other, double wa, double wb, float[] scaleOther) {
    if (other.out != out || other.inPerGroup != inPerGroup || other.k != k) {
      throw new IllegalArgumentException("cannot add kernels of different shapes");
    }
    int per = inPerGroup * k * k;
    float[] w = new float[weight.length];
    float[] b = new float[out];
    for (int o = 0; o < out; o++) {
      double s = scaleOther == null ? wb : wb * scaleOther[o];
      for (int i = 0; i < per; i++) {
        w[o * per + i] = (float) (wa * weight[o * per + i] + s * other.weight[o * per + i]);
      }
      b[o] = (float) (wa * bias[o] + s * other.bias[o]);
    }
    return new Kernel(out, inPerGroup, k, w, b);
  }

  /** Gives {@code conv} these weights when it is initialized. */
  void assignTo(ConvLayer conv) {
    if (conv.out != out || conv.in / conv.groups != inPerGroup || conv.kernel != k || conv.bias == null) {
      throw new IllegalStateException("fused kernel [" + out + ", " + inPerGroup + ", " + k + "] does not fit the inference convolution");
    }
    conv.weight.setInitializer(constant(weight, new Shape(out, inPerGroup, k, k)));
    conv.bias.setInitializer(constant(bias, new Shape(out)));
  }

  /** An initializer that yields exactly {@code values}. */
  static Initializer constant(float[] values, Shape shape) {
    return (manager, requested, dataType) -> {
      if (!requested.equals(shape)) {
        throw new IllegalStateException("parameter shape " + requested + " is not the fused shape " + shape);
      }
      return manager.create(values, shape).toType(dataType, false);
    };
  }
}
