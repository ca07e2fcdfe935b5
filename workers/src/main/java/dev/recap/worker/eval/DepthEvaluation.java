package dev.recap.worker.eval;

/**
 * Which ground-truth pixels a depth benchmark scores, and how far predictions are clamped, as the
 * benchmark's published evaluation does it. A pixel is scored when its ground truth is finite,
 * above {@code minDepth} and below {@code maxDepth}, and (with {@code eigenCrop}) inside the
 * Eigen crop; predictions are clamped to [{@link DepthMetrics#MIN_PREDICTION}, {@code maxDepth}].
 *
 * @param minDepth ground truth at or below this (metres) is not scored
 * @param maxDepth ground truth at or above this (metres) is not scored; predictions are clamped to it
 * @param eigenCrop score only the Eigen crop: rows 45..470 and columns 41..600 of a 480x640
 *     image (NumPy's {@code [45:471, 41:601]}), scaled to other sizes by {@link #crop}
 */
public record DepthEvaluation(double minDepth, double maxDepth, boolean eigenCrop) {

  /** Every pixel with a measurement (ground truth above 0), no upper clamp, no crop: synthetic scenes. */
  public static final DepthEvaluation ALL_MEASURED = new DepthEvaluation(0, Double.POSITIVE_INFINITY, false);

  /** NYUv2 on the Eigen split as BTS, AdaBins and their successors score it: 1e-3..10 m, Eigen crop. */
  public static final DepthEvaluation NYUV2_EIGEN = new DepthEvaluation(1e-3, 10, true);

  public DepthEvaluation {
    if (!(minDepth >= 0) || !(maxDepth > minDepth)) {
      throw new IllegalArgumentException("depth evaluation range must satisfy 0 <= minDepth < maxDepth, got "
          + minDepth + ".." + maxDepth);
    }
  }

  /**
   * The scored rectangle of a {@code width x height} image as {top, bottom, left, right}
   * (bottom and right exclusive): the whole image without {@code eigenCrop}; with it, the Eigen
   * crop, exactly 45, 471, 41, 601 on 480x640 and each bound scaled by the image's height or
   * width over 480 or 640 (rounded) on other sizes.
   */
  public int[] crop(int width, int height) {
    if (!eigenCrop) {
      return new int[] {0, height, 0, width};
    }
    return new int[] {
      (int) Math.round(45 * height / 480.0), (int) Math.round(471 * height / 480.0),
      (int) Math.round(41 * width / 640.0), (int) Math.round(601 * width / 640.0)
    };
  }
}
