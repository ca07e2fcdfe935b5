package dev.recap.api.dense;

/**
 * A dense prediction task.
 *
 * @param kind segmentation or depth
 * @param numClasses the number of classes for segmentation, 1 for depth
 */
public record DenseTask(Kind kind, int numClasses) {

  /** What a dense head predicts per pixel. */
  public enum Kind {
    /** Class logits; targets are class ids with 255 = ignore. */
    SEGMENTATION,
    /** Positive depth in metres; targets of 0 are invalid. */
    DEPTH
  }

  public DenseTask {
    if (kind == Kind.DEPTH && numClasses != 1) {
      throw new IllegalArgumentException("depth has one output channel, got numClasses=" + numClasses);
    }
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive: " + numClasses);
    }
  }

  public static DenseTask segmentation(int numClasses) {
    return new DenseTask(Kind.SEGMENTATION, numClasses);
  }

  public static DenseTask depth() {
    return new DenseTask(Kind.DEPTH, 1);
  }
}
