package dev.recap.worker.eval;

import dev.recap.api.dense.DenseTask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The depth errors of Eigen et al. (2014), over the valid pixels of each image (ground truth
 * above {@link DenseTask#INVALID_DEPTH} and finite), computed per image and then averaged over
 * the images, as the NYUv2/KITTI evaluation code of BTS, AdaBins, DPT and Depth Anything does:
 *
 * <ul>
 *   <li>{@code rmse} = sqrt(mean((d - d*)^2)), metres;
 *   <li>{@code absRel} = mean(|d - d*| / d*); {@code sqRel} = mean((d - d*)^2 / d*);
 *   <li>{@code log10} = mean(|log10 d - log10 d*|); {@code rmseLog} = sqrt(mean((ln d - ln d*)^2));
 *   <li>{@code delta1..3} = fraction of pixels with max(d / d*, d* / d) below 1.25, 1.25^2, 1.25^3.
 * </ul>
 *
 * Predictions are clamped to at least {@link #MIN_PREDICTION} metres (the usual
 * {@code min_depth_eval}) so that logs and ratios stay finite. A benchmark's own evaluation
 * ({@link DepthEvaluation}: NYUv2's 1e-3..10 m range and Eigen crop) narrows the scored pixels and
 * clamps predictions to its maximum. Images without a valid pixel are skipped and counted in
 * {@link #skippedImages()}. Not thread-safe.
 */
public final class DepthMetrics {

  /** Lower clamp applied to predictions, metres. */
  public static final double MIN_PREDICTION = 1e-3;

  private static final String[] NAMES = {"rmse", "absRel", "sqRel", "log10", "rmseLog", "delta1", "delta2", "delta3"};

  private final DepthEvaluation evaluation;
  private final double[] sums = new double[NAMES.length];
  private final List<double[]> perImage = new ArrayList<>();
  private int images;
  private int skipped;
  private long pixels;

  /** Every measured pixel scored ({@link DepthEvaluation#ALL_MEASURED}). */
  public DepthMetrics() {
    this(DepthEvaluation.ALL_MEASURED);
  }

  /** Scores the pixels {@code evaluation} selects, with its clamp. */
  public DepthMetrics(DepthEvaluation evaluation) {
    this.evaluation = evaluation;
  }

  /**
   * Adds one image, every pixel a candidate (an evaluation with a crop needs the image's size:
   * use {@link #add(float[], float[], int, int, String)}).
   *
   * @param what names the image in errors (e.g. the sample key)
   */
  public void add(float[] groundTruth, float[] prediction, String what) {
    if (evaluation.eigenCrop()) {
      throw new IllegalStateException(what + ": the Eigen crop needs the image's size; call add(truth, prediction, width,"
          + " height, what)");
    }
    add(groundTruth, prediction, groundTruth.length, 1, what);
  }

  /**
   * Adds one {@code width x height} image (row-major maps).
   *
   * @param what names the image in errors (e.g. the sample key)
   */
  public void add(float[] groundTruth, float[] prediction, int width, int height, String what) {
    if (groundTruth.length != prediction.length) {
      throw new IllegalArgumentException(
          what + ": ground truth has " + groundTruth.length + " pixels, prediction " + prediction.length);
    }
    if ((long) width * height != groundTruth.length) {
      throw new IllegalArgumentException(what + ": " + groundTruth.length + " pixels are not a " + width + "x" + height + " map");
    }
    int[] crop = evaluation.crop(width, height);
    double maxPrediction = evaluation.maxDepth();
    // bounds compared in float, as NumPy compares a float32 depth map with a Python scalar: a 1 mm
    // pixel (0.001f) is not above 1e-3
    float minDepth = (float) evaluation.minDepth();
    float maxDepth = (float) evaluation.maxDepth();
    double sq = 0;
    double absRel = 0;
    double sqRel = 0;
    double log10 = 0;
    double sqLog = 0;
    long d1 = 0;
    long d2 = 0;
    long d3 = 0;
    long n = 0;
    for (int i = 0; i < groundTruth.length; i++) {
      float truth = groundTruth[i];
      if (!(truth > DenseTask.INVALID_DEPTH) || !Float.isFinite(truth) || !(truth > minDepth) || !(truth < maxDepth)) {
        continue;
      }
      double gt = truth;
      int row = i / width;
      int column = i % width;
      if (row < crop[0] || row >= crop[1] || column < crop[2] || column >= crop[3]) {
        continue;
      }
      double p = prediction[i];
      if (Double.isNaN(p)) {
        throw new IllegalArgumentException(what + ": predicted depth at pixel " + i + " is NaN");
      }
      p = Math.min(Math.max(p, MIN_PREDICTION), maxPrediction);
      double diff = p - gt;
      sq += diff * diff;
      absRel += Math.abs(diff) / gt;
      sqRel += diff * diff / gt;
      log10 += Math.abs(Math.log10(p) - Math.log10(gt));
      double lnDiff = Math.log(p) - Math.log(gt);
      sqLog += lnDiff * lnDiff;
      double ratio = Math.max(p / gt, gt / p);
      if (ratio < 1.25) {
        d1++;
      }
      if (ratio < 1.25 * 1.25) {
        d2++;
      }
      if (ratio < 1.25 * 1.25 * 1.25) {
        d3++;
      }
      n++;
    }
    if (n == 0) {
      skipped++;
      return;
    }
    double[] image = {
      Math.sqrt(sq / n), absRel / n, sqRel / n, log10 / n, Math.sqrt(sqLog / n),
      (double) d1 / n, (double) d2 / n, (double) d3 / n
    };
    for (int k = 0; k < sums.length; k++) {
      sums[k] += image[k];
    }
    perImage.add(image);
    images++;
    pixels += n;
  }

  /** Pixels scored so far, over every image added. */
  public long pixels() {
    return pixels;
  }

  /** Images that had at least one valid pixel. */
  public int images() {
    return images;
  }

  /** Images without any valid pixel, left out of the means. */
  public int skippedImages() {
    return skipped;
  }

  /** The metric names, in the order of {@link #perImage()}'s values. */
  static List<String> names() {
    return List.of(NAMES);
  }

  /** Each added image's errors (images without a valid pixel left out), in the order of {@link #names()}. */
  List<double[]> perImage() {
    return Collections.unmodifiableList(perImage);
  }

  /** The means over images, by the names above; NaN when no image was added. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int k = 0; k < NAMES.length; k++) {
      m.put(NAMES[k], images == 0 ? Double.NaN : sums[k] / images);
    }
    return m;
  }
}
