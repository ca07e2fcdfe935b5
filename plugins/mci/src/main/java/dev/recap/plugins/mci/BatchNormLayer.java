package dev.recap.plugins.mci;

import dev.recap.api.encoder.FixedShapeBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * BatchNorm over the channels of {@code [B, C, H, W]} with PyTorch's names and defaults
 * ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}; eps 1e-5, running
 * statistics updated with factor 0.1 in training). The running statistics are parameters that
 * take no gradient, so they are saved and loaded with the others.
 */
final class BatchNormLayer extends FixedShapeBlock {

  static final float EPS = 1e-5f;
  /** DJL's momentum is the share kept (PyTorch's 0.1 update is DJL's 0.9). */
  private static final float DJL_MOMENTUM = 0.9f;

  final int channels;
  final Parameter gamma;
  final Parameter beta;
  final Parameter runningMean;
  final Parameter runningVar;

  BatchNormLayer(int channels) {
    this.channels = channels;
    gamma = parameter("weight", Parameter.Type.GAMMA, new Shape(channels), Initializer.ONES);
    beta = parameter("bias", Parameter.Type.BETA, new Shape(channels), Initializer.ZEROS);
    runningMean = addParameter(Parameter.builder().setName("running_mean").setType(Parameter.Type.RUNNING_MEAN)
        .optShape(new Shape(channels)).optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
    runningVar = addParameter(Parameter.builder().setName("running_var").setType(Parameter.Type.RUNNING_VAR)
        .optShape(new Shape(channels)).optInitializer(Initializer.ONES).optRequiresGrad(false).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray in = float32(x);
    NDArray y = BatchNorm.batchNorm(in, valueLike(ps, runningMean, in, training),
        valueLike(ps, runningVar, in, training), valueLike(ps, gamma, in, training),
        valueLike(ps, beta, in, training), 1, DJL_MOMENTUM, EPS, training).singletonOrThrow();
    return new NDList(asTypeOf(y, x));
  }

  /** Per-channel inference-mode scale {@code gamma / sqrt(var + eps)}. */
  double[] scale() {
    float[] g = gamma.getArray().toFloatArray();
    float[] v = runningVar.getArray().toFloatArray();
    double[] t = new double[channels];
    for (int c = 0; c < channels; c++) {
      t[c] = g[c] / Math.sqrt(v[c] + (double) EPS);
    }
    return t;
  }

  /** Per-channel inference-mode shift {@code beta - mean * gamma / sqrt(var + eps)}. */
  double[] shift() {
    double[] t = scale();
    float[] b = beta.getArray().toFloatArray();
    float[] m = runningMean.getArray().toFloatArray();
    double[] s = new double[channels];
    for (int c = 0; c < channels; c++) {
      s[c] = b[c] - m[c] * t[c];
    }
    return s;
  }
}
