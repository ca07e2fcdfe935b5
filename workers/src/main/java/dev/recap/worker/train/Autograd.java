package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Gradient recording for the calling thread only.
 *
 * <p>DJL's {@code GradientCollector} allows one collector per JVM, but data-parallel replicas on
 * threads (see {@code LocalCollective}) record at the same time. PyTorch's grad mode is
 * thread-local, so the trainer sets it per thread here and calls backward directly. Dense
 * evaluation uses it too, so several evaluations can run in one JVM (embedded workers).
 */
public final class Autograd {

  private Autograd() {}

  /** Runs {@code body} with gradient recording on ({@code true}) or off on this thread. */
  public static <T> T withGradMode(boolean enabled, Supplier<T> body) {
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
    try {
      return body.get();
    } finally {
      JniUtils.setGradMode(previous);
    }
  }

  /** Accumulates d(loss)/d(leaf) into every leaf's gradient. */
  public static void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  /**
   * Accumulates into every leaf's gradient the vector-Jacobian product of {@code output} with
   * {@code seed} (d(output)/d(leaf) applied to {@code seed}, which has {@code output}'s shape):
   * the backward pass of a sub-graph whose output's gradient is already known.
   */
  public static void backward(NDArray output, NDArray seed) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) seed, false, false);
  }

  /** The gradient of {@code leaf}, copied to the host; zero if nothing reached it. */
  public static float[] gradient(NDArray leaf) {
    try (NDArray g = leaf.getGradient()) {
      if (g.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
        return g.toFloatArray();
      }
      try (NDArray f = g.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
        return f.toFloatArray();
      }
    }
  }

  public static void zeroGradient(NDArray leaf) {
    JniUtils.zeroGrad((PtNDArray) leaf);
  }
}
