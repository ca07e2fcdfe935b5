package dev.recap.worker.eval;

import dev.recap.api.data.Sample;
import java.util.Collections;
import java.util.List;

/**
 * The data of one dense evaluation: the dense training split (before the data fraction is
 * applied), the held-out test split, the class names (indexed by class id; may be empty for
 * depth) and how depth is scored. Images may differ in size only when the evaluation runs with an
 * input size ({@link DenseEvalConfig#inputSize()}); otherwise all must have one size.
 *
 * <p>The lists are read by index and not copied: a list that decodes its samples when read (a
 * benchmark indexed on disk, {@link dev.recap.worker.data.DenseIndex#samples()}) keeps only the
 * images in use in memory.
 */
public record DenseSplits(List<Sample> train, List<Sample> test, List<String> classNames, DepthEvaluation depthEvaluation) {
  public DenseSplits {
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("dense evaluation needs a non-empty training split");
    }
    if (test == null || test.isEmpty()) {
      throw new IllegalArgumentException("dense evaluation needs a non-empty test split");
    }
    train = Collections.unmodifiableList(train);
    test = Collections.unmodifiableList(test);
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
    depthEvaluation = depthEvaluation == null ? DepthEvaluation.ALL_MEASURED : depthEvaluation;
  }

  /** Splits whose depth, if any, is scored on every measured pixel. */
  public DenseSplits(List<Sample> train, List<Sample> test, List<String> classNames) {
    this(train, test, classNames, DepthEvaluation.ALL_MEASURED);
  }
}
