package dev.recap.worker.eval;

import dev.recap.api.dense.DenseTask;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A segmentation confusion matrix accumulated over a test set, and the metrics mmsegmentation
 * derives from it ({@code mmseg.core.evaluation.metrics}):
 *
 * <ul>
 *   <li>per-class IoU = TP / (TP + FP + FN); NaN for a class with an empty union (neither in the
 *       ground truth nor predicted);
 *   <li>mIoU = the mean of the per-class IoUs that are not NaN. So a class absent from the ground
 *       truth is left out unless it was predicted somewhere, in which case it counts as 0, exactly
 *       as mmsegmentation's {@code nanmean} does;
 *   <li>aAcc (pixel accuracy) = correct pixels / labelled pixels;
 *   <li>per-class accuracy = TP / ground-truth pixels of the class (NaN when absent); mAcc = mean
 *       of the non-NaN ones.
 * </ul>
 *
 * Pixels labelled {@link DenseTask#IGNORE_CLASS} are skipped. Rows are ground truth, columns
 * predictions. Not thread-safe; merge per-thread matrices with {@link #merge}.
 */
public final class ConfusionMatrix {

  private final int numClasses;
  private final long[] counts;

  public ConfusionMatrix(int numClasses) {
    if (numClasses <= 0 || numClasses > DenseTask.IGNORE_CLASS) {
      throw new IllegalArgumentException("numClasses must be in [1, 255], got " + numClasses);
    }
    this.numClasses = numClasses;
    this.counts = new long[numClasses * numClasses];
  }

  public int numClasses() {
    return numClasses;
  }

  /**
   * Adds one image: class ids as a {@link dev.recap.api.data.Sample#classMap()} holds them
   * (unsigned bytes, 255 = ignore) against predicted class ids.
   *
   * @param what names the image in errors (e.g. the sample key)
   */
  public void add(byte[] groundTruth, int[] prediction, String what) {
    if (groundTruth.length != prediction.length) {
      throw new IllegalArgumentException(
          what + ": ground truth has " + groundTruth.length + " pixels, prediction " + prediction.length);
    }
    for (int i = 0; i < groundTruth.length; i++) {
      int truth = groundTruth[i] & 0xFF;
      if (truth == DenseTask.IGNORE_CLASS) {
        continue;
      }
      int predicted = prediction[i];
      if (truth >= numClasses) {
        throw new IllegalArgumentException(what + ": ground-truth class " + truth + " at pixel " + i
            + " is outside [0, " + numClasses + ") and is not the ignore id 255");
      }
      if (predicted < 0 || predicted >= numClasses) {
        throw new IllegalArgumentException(
            what + ": predicted class " + predicted + " at pixel " + i + " is outside [0, " + numClasses + ")");
      }
      counts[truth * numClasses + predicted]++;
    }
  }

  /** Adds another matrix's counts (same number of classes). */
  public void merge(ConfusionMatrix other) {
    if (other.numClasses != numClasses) {
      throw new IllegalArgumentException("cannot merge a " + other.numClasses + "-class matrix into a " + numClasses + "-class one");
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
  }

  /**
   * The non-zero cells as pairs {@code (truth * numClasses + predicted, count)}, flattened: a
   * compact copy of one image's matrix for {@link TestSetBootstrap}.
   */
  long[] nonZeroCells() {
    int nonZero = 0;
    for (long c : counts) {
      if (c != 0) {
        nonZero++;
      }
    }
    long[] cells = new long[2 * nonZero];
    int k = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0) {
        cells[k++] = i;
        cells[k++] = counts[i];
      }
    }
    return cells;
  }

  /** Adds cells as {@link #nonZeroCells()} lists them. */
  void addCells(long[] cells) {
    for (int k = 0; k < cells.length; k += 2) {
      counts[(int) cells[k]] += cells[k + 1];
    }
  }

  /** Pixels of class {@code truth} predicted as {@code predicted}. */
  public long count(int truth, int predicted) {
    return counts[truth * numClasses + predicted];
  }

  /** Labelled pixels added so far. */
  public long total() {
    return Arrays.stream(counts).sum();
  }

  private long truthArea(int c) {
    long s = 0;
    for (int p = 0; p < numClasses; p++) {
      s += count(c, p);
    }
    return s;
  }

  private long predictedArea(int c) {
    long s = 0;
    for (int t = 0; t < numClasses; t++) {
      s += count(t, c);
    }
    return s;
  }

  /** IoU per class; NaN where the class is neither in the ground truth nor predicted. */
  public double[] perClassIoU() {
    double[] iou = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      long tp = count(c, c);
      long union = truthArea(c) + predictedArea(c) - tp;
      iou[c] = union == 0 ? Double.NaN : (double) tp / union;
    }
    return iou;
  }

  /** Accuracy (recall) per class; NaN where the class is absent from the ground truth. */
  public double[] perClassAccuracy() {
    double[] acc = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      long area = truthArea(c);
      acc[c] = area == 0 ? Double.NaN : (double) count(c, c) / area;
    }
    return acc;
  }

  /** Mean of the non-NaN per-class IoUs (mmsegmentation's mIoU); NaN if nothing was added. */
  public double meanIoU() {
    return nanMean(perClassIoU());
  }

  /** Mean of the non-NaN per-class accuracies (mAcc). */
  public double meanAccuracy() {
    return nanMean(perClassAccuracy());
  }

  /** Correct labelled pixels over labelled pixels (aAcc); NaN if nothing was added. */
  public double pixelAccuracy() {
    long correct = 0;
    for (int c = 0; c < numClasses; c++) {
      correct += count(c, c);
    }
    long total = total();
    return total == 0 ? Double.NaN : (double) correct / total;
  }

  /** {@code mIoU}, {@code aAcc}, {@code mAcc}, all as fractions in [0, 1]. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mIoU", meanIoU());
    m.put("aAcc", pixelAccuracy());
    m.put("mAcc", meanAccuracy());
    return m;
  }

  static double nanMean(double[] values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}
