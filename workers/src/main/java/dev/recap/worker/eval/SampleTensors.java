package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseTask;
import java.util.List;

/** Turns samples into the tensors a dense evaluation feeds: normalized images and targets. */
final class SampleTensors {

  private final float[] mean;
  private final float[] std;

  SampleTensors(float[] mean, float[] std) {
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /**
   * Checks every sample can be scored for {@code task} and all share one size that the encoder
   * accepts; returns {width, height}. Errors name the split and the sample key.
   */
  static int[] validate(List<Sample> samples, DenseTask task, int inputMultiple, String split) {
    int width = samples.get(0).image().width();
    int height = samples.get(0).image().height();
    if (width % inputMultiple != 0 || height % inputMultiple != 0) {
      throw new IllegalArgumentException(split + " sample '" + samples.get(0).key() + "' is " + width + "x" + height
          + " but the encoder needs sides that are multiples of " + inputMultiple + ": resize or crop the dense set");
    }
    for (Sample s : samples) {
      if (s.image().width() != width || s.image().height() != height) {
        throw new IllegalArgumentException(split + " sample '" + s.key() + "' is " + s.image().width() + "x"
            + s.image().height() + " but the split's first sample is " + width + "x" + height + ": all must match");
      }
      checkTarget(s, task, split);
    }
    return new int[] {width, height};
  }

  /** Checks {@code s} has the target {@code task} scores, one value per pixel of its image; the error names the sample. */
  static void checkTarget(Sample s, DenseTask task, String split) {
    int pixels = s.image().width() * s.image().height();
    if (task.kind() == DenseTask.Kind.SEGMENTATION) {
      if (s.classMap() == null || s.classMap().length != pixels) {
        throw new IllegalArgumentException(split + " sample '" + s.key() + "' has "
            + (s.classMap() == null ? "no class map" : "a class map of " + s.classMap().length + " pixels")
            + "; segmentation needs " + pixels);
      }
    } else if (s.depthMetres() == null || s.depthMetres().length != pixels) {
      throw new IllegalArgumentException(split + " sample '" + s.key() + "' has "
          + (s.depthMetres() == null ? "no depth map" : "a depth map of " + s.depthMetres().length + " pixels")
          + "; depth needs " + pixels);
    }
  }

  /** {@code [B, 3, H, W]} float32, (rgb / 255 - mean) / std. */
  NDArray images(NDManager manager, List<Sample> batch) {
    int w = batch.get(0).image().width();
    int h = batch.get(0).image().height();
    int plane = w * h;
    float[] data = new float[batch.size() * 3 * plane];
    for (int b = 0; b < batch.size(); b++) {
      byte[] rgb = batch.get(b).image().rgb();
      int base = b * 3 * plane;
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          data[base + c * plane + p] = ((rgb[p * 3 + c] & 0xFF) / 255f - mean[c]) / std[c];
        }
      }
    }
    return manager.create(data, new Shape(batch.size(), 3, h, w));
  }

  /** {@code [B, H, W]}: int32 class ids (255 kept) or float32 metres (0 kept). */
  static NDArray targets(NDManager manager, List<Sample> batch, DenseTask task) {
    int w = batch.get(0).image().width();
    int h = batch.get(0).image().height();
    int plane = w * h;
    Shape shape = new Shape(batch.size(), h, w);
    if (task.kind() == DenseTask.Kind.SEGMENTATION) {
      int[] ids = new int[batch.size() * plane];
      for (int b = 0; b < batch.size(); b++) {
        byte[] map = batch.get(b).classMap();
        for (int p = 0; p < plane; p++) {
          ids[b * plane + p] = map[p] & 0xFF;
        }
      }
      return manager.create(ids, shape);
    }
    float[] metres = new float[batch.size() * plane];
    for (int b = 0; b < batch.size(); b++) {
      System.arraycopy(batch.get(b).depthMetres(), 0, metres, b * plane, plane);
    }
    return manager.create(metres, shape);
  }
}
