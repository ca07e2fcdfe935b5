package dev.recap.api.dense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Shape checks shared by the dense losses, with errors that say which tensor is off. */
final class DenseLossShapes {

  private DenseLossShapes() {}

  /** Prediction {@code [B, C, H, W]} against target {@code [B, H, W]}. */
  static void check(String task, NDArray prediction, NDArray target) {
    Shape p = prediction.getShape();
    Shape t = target.getShape();
    if (p.dimension() != 4 || t.dimension() != 3
        || p.get(0) != t.get(0) || p.get(2) != t.get(1) || p.get(3) != t.get(2)) {
      throw new IllegalArgumentException(
          task + " loss needs prediction [B, C, H, W] and target [B, H, W] of the same B, H, W; got prediction "
              + p + " and target " + t);
    }
  }
}
