package dev.recap.api.dense;

/**
 * A dense prediction task.
 *
 * @param kind segmentation or depth
 * @param numClasses the number of classes for segmentation, 1 for depth
 */
public record DenseTask(Kind kind, int numClasses) {

  /** The class id of pixels that carry no label (borders, unlabelled regions); never scored. */
  public static final int IGNORE_CLASS = 255;

  /** Depth targets at or below this value (metres) are invalid: no measurement there. */
  public static final float INVALID_DEPTH = 0f;

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
    if (numClasses > IGNORE_CLASS) {
      throw new IllegalArgumentException(
          "numClasses must be at most " + IGNORE_CLASS + " (class id " + IGNORE_CLASS + " means ignore), got " + numClasses);
    }
  }

  public static DenseTask segmentation(int numClasses) {
    return new DenseTask(Kind.SEGMENTATION, numClasses);
  }

  public static DenseTask depth() {
    return new DenseTask(Kind.DEPTH, 1);
  }
}
