package dev.recap.worker.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How far a dense metric would move on another test set of the same size drawn from the same
 * scenes: the bootstrap over test images (Efron and Tibshirani 1993). Each resample draws as many
 * images as the split has, with replacement; a metric's standard error is the sample standard
 * deviation of its value over the resamples.
 *
 * <ul>
 *   <li>Segmentation: the resampled images' confusion matrices are summed and mIoU, aAcc and mAcc
 *       recomputed from the sum, exactly as {@link ConfusionMatrix} computes them over the whole
 *       split (mIoU is not a mean over images, so per-image IoUs are never averaged).
 *   <li>Depth: each metric is the mean of the resampled images' per-image errors, as
 *       {@link DepthMetrics} averages them over the split.
 * </ul>
 *
 * <p>The generator is seeded with a fixed value, so every encoder evaluated on the same split is
 * resampled with the same image indices, and a result is reproducible. Images are identified by
 * their position in the split.
 */
public final class TestSetBootstrap {

  /** Resamples when a configuration does not say: enough for a standard error good to about 5%. */
  public static final int DEFAULT_RESAMPLES = 200;

  /** The generator's seed, the same for every evaluation (see the class comment). */
  public static final long SEED = 20_141_231L;

  private final int resamples;

  /**
   * @param resamples how many resampled test sets; at least 2
   */
  public TestSetBootstrap(int resamples) {
    if (resamples < 2) {
      throw new IllegalArgumentException("test-set bootstrap needs at least 2 resamples, got " + resamples);
    }
    this.resamples = resamples;
  }

  public int resamples() {
    return resamples;
  }

  /**
   * Standard errors of {@code mIoU}, {@code aAcc} and {@code mAcc}.
   *
   * @param numClasses the matrices' class count
   * @param images one entry per test image: its confusion matrix as
   *     {@link ConfusionMatrix#nonZeroCells()} gives it
   * @return metric name to standard error; empty when there are no images
   */
  Map<String, Double> segmentation(int numClasses, List<long[]> images) {
    List<Map<String, Double>> values = new ArrayList<>(resamples);
    Random random = new Random(SEED);
    for (int r = 0; r < resamples; r++) {
      if (images.isEmpty()) {
        break;
      }
      ConfusionMatrix resampled = new ConfusionMatrix(numClasses);
      for (int i = 0; i < images.size(); i++) {
        resampled.addCells(images.get(random.nextInt(images.size())));
      }
      values.add(resampled.metrics());
    }
    return standardErrors(values);
  }

  /**
   * Standard errors of the depth metrics.
   *
   * @param images one entry per test image with a valid pixel: its errors in the order of
   *     {@link DepthMetrics#names()}
   * @return metric name to standard error; empty when there are no images
   */
  Map<String, Double> depth(List<double[]> images) {
    List<String> names = DepthMetrics.names();
    List<Map<String, Double>> values = new ArrayList<>(resamples);
    Random random = new Random(SEED);
    for (int r = 0; r < resamples; r++) {
      if (images.isEmpty()) {
        break;
      }
      double[] sums = new double[names.size()];
      for (int i = 0; i < images.size(); i++) {
        double[] image = images.get(random.nextInt(images.size()));
        for (int k = 0; k < sums.length; k++) {
          sums[k] += image[k];
        }
      }
      Map<String, Double> one = new LinkedHashMap<>();
      for (int k = 0; k < sums.length; k++) {
        one.put(names.get(k), sums[k] / images.size());
      }
      values.add(one);
    }
    return standardErrors(values);
  }

  /**
   * Per metric, the sample standard deviation over the resamples where it is defined (NaN left
   * out). Deviations are taken from the first value (the shifted-data algorithm), so values that
   * are all equal give exactly 0.
   */
  private static Map<String, Double> standardErrors(List<Map<String, Double>> resampled) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (resampled.isEmpty()) {
      return out;
    }
    for (String metric : resampled.get(0).keySet()) {
      double shift = Double.NaN;
      double sum = 0;
      double squares = 0;
      int n = 0;
      for (Map<String, Double> r : resampled) {
        double v = r.get(metric);
        if (Double.isNaN(v)) {
          continue;
        }
        if (n == 0) {
          shift = v;
        }
        sum += v - shift;
        squares += (v - shift) * (v - shift);
        n++;
      }
      if (n >= 2) {
        out.put(metric, Math.sqrt(Math.max(0, (squares - sum * sum / n) / (n - 1))));
      }
    }
    return out;
  }
}
