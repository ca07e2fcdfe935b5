package dev.recap.worker.eval;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageTower;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frozen protocol's cache: every image's dense maps (all levels), computed once by the
 * encoder in inference mode and kept as Java arrays, so that no native memory grows with epochs;
 * batches in any order are rebuilt from it.
 */
final class FeatureCache {

  private final List<FeatureLevel> levels;
  private final int[] size;
  /** Per sample, per level: the flattened {@code [C, h, w]} map. */
  private final List<float[][]> features;

  FeatureCache(ImageTower encoder, SampleTensors tensors, List<Sample> samples, int batchSize, NDManager root) {
    this.levels = encoder.featureLevels();
    this.size = new int[] {samples.get(0).image().width(), samples.get(0).image().height()};
    this.features = new ArrayList<>(samples.size());
    for (int start = 0; start < samples.size(); start += batchSize) {
      List<Sample> batch = samples.subList(start, Math.min(samples.size(), start + batchSize));
      try (NDManager step = root.newSubManager()) {
        NDList dense = DenseEvaluator.dense(encoder.block(), step, tensors.images(step, batch), false);
        float[][][] perLevel = new float[levels.size()][][];
        for (int l = 0; l < levels.size(); l++) {
          float[] all = dense.get(l).toType(DataType.FLOAT32, false).toFloatArray();
          int per = all.length / batch.size();
          perLevel[l] = new float[batch.size()][];
          for (int b = 0; b < batch.size(); b++) {
            perLevel[l][b] = Arrays.copyOfRange(all, b * per, (b + 1) * per);
          }
        }
        for (int b = 0; b < batch.size(); b++) {
          float[][] sample = new float[levels.size()][];
          for (int l = 0; l < levels.size(); l++) {
            sample[l] = perLevel[l][b];
          }
          features.add(sample);
        }
      }
    }
  }

  int size() {
    return features.size();
  }

  /** The cached maps of the samples at {@code indices}, stacked per level into {@code step}. */
  NDList batch(NDManager step, List<Integer> indices) {
    Shape[] shapes = DenseEvaluator.levelShapes(levels, indices.size(), size);
    NDList list = new NDList(levels.size());
    for (int l = 0; l < levels.size(); l++) {
      int per = features.get(indices.get(0))[l].length;
      float[] data = new float[indices.size() * per];
      for (int b = 0; b < indices.size(); b++) {
        System.arraycopy(features.get(indices.get(b))[l], 0, data, b * per, per);
      }
      list.add(step.create(data, shapes[l]));
    }
    return list;
  }
}
