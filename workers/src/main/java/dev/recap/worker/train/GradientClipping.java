package dev.recap.worker.train;

/** Global-norm gradient clipping over one flat gradient vector. */
public final class GradientClipping {

  private GradientClipping() {}

  /** The L2 norm of {@code g[0, length)}, accumulated in double. */
  public static double globalNorm(float[] g, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      sum += (double) g[i] * g[i];
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales {@code g[0, length)} so its global norm is at most {@code maxNorm} ({@code <= 0}: off).
   *
   * @return the norm before clipping
   */
  public static double clip(float[] g, int length, double maxNorm) {
    double norm = globalNorm(g, length);
    if (maxNorm > 0 && norm > maxNorm) {
      float factor = (float) (maxNorm / (norm + 1e-6));
      for (int i = 0; i < length; i++) {
        g[i] *= factor;
      }
    }
    return norm;
  }
}
