package dev.recap.worker.eval;

import dev.recap.api.data.Sample;
import java.util.List;

/**
 * The data of one dense evaluation: the dense training split (before the data fraction is
 * applied), the held-out test split, and the class names (indexed by class id; may be empty for
 * depth). All images must have the same size.
 */
public record DenseSplits(List<Sample> train, List<Sample> test, List<String> classNames) {
  public DenseSplits {
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("dense evaluation needs a non-empty training split");
    }
    if (test == null || test.isEmpty()) {
      throw new IllegalArgumentException("dense evaluation needs a non-empty test split");
    }
    train = List.copyOf(train);
    test = List.copyOf(test);
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
  }
}
