package dev.recap.plugins.denseheads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.recap.api.PluginConfig;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.dense.MaskedL1Loss;
import dev.recap.api.dense.ScaleInvariantLogLoss;
import dev.recap.api.dense.SegmentationCrossEntropy;
import dev.recap.api.encoder.FeatureLevel;
import java.util.List;

/** What both heads share: the output activation per task, the loss choice, input checks. */
final class HeadOutputs {

  /** Log-depth is clamped to e^-12 .. e^12 m before exp so that no value overflows. */
  private static final float LOG_DEPTH_LIMIT = 12f;

  private HeadOutputs() {}

  /**
   * The task's output from the map the head's last layer computed at image resolution: class
   * logits unchanged; for depth the map is log-metres, so exp makes it positive and a
   * log-space loss sees a linear output.
   */
  static NDArray activate(DenseTask task, NDArray map) {
    return task.kind() == DenseTask.Kind.DEPTH ? map.clip(-LOG_DEPTH_LIMIT, LOG_DEPTH_LIMIT).exp() : map;
  }

  /**
   * The task's loss: cross-entropy ignoring 255 for segmentation; for depth the config key
   * {@code depthLoss} picks {@code silog} (default, with {@code silogLambda}, default 0.85) or
   * {@code l1}.
   */
  static Loss loss(DenseTask task, PluginConfig config) {
    if (task.kind() == DenseTask.Kind.SEGMENTATION) {
      return new SegmentationCrossEntropy();
    }
    String name = config.getString("depthLoss", "silog");
    return switch (name) {
      case "silog" -> new ScaleInvariantLogLoss((float) config.getDouble("silogLambda", 0.85));
      case "l1" -> new MaskedL1Loss();
      default -> throw new IllegalArgumentException(
          "config key 'depthLoss' must be 'silog' or 'l1', got '" + name + "'");
    };
  }

  /** Checks the head got the maps it was built for, naming the level that differs. */
  static void checkInputs(String head, List<FeatureLevel> levels, NDList inputs) {
    if (inputs.size() < levels.size()) {
      throw new IllegalArgumentException(
          head + " head was built for " + levels.size() + " dense levels " + levels + " but got " + inputs.size());
    }
    for (int i = 0; i < levels.size(); i++) {
      Shape s = inputs.get(i).getShape();
      if (s.dimension() != 4 || s.get(1) != levels.get(i).channels()) {
        throw new IllegalArgumentException(head + " head: dense level " + i + " should be [B, "
            + levels.get(i).channels() + ", h, w] (" + levels.get(i) + "), got " + s);
      }
    }
  }

  static void checkLevels(String head, List<FeatureLevel> levels) {
    if (levels == null || levels.isEmpty()) {
      throw new IllegalArgumentException(head + " head needs at least one dense feature level");
    }
  }
}
