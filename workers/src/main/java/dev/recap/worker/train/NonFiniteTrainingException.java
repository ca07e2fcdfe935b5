package dev.recap.worker.train;

import java.util.List;

/** Too many consecutive steps had a non-finite loss or gradient on some replica. */
public final class NonFiniteTrainingException extends RuntimeException {

  private final long step;
  private final List<String> sampleKeys;

  public NonFiniteTrainingException(long step, int consecutive, List<String> sampleKeys) {
    super("step " + step + ": " + consecutive + " consecutive steps with a non-finite loss or gradient; stopping instead of"
        + " training on garbage. This replica's samples in the last one: " + sampleKeys
        + ". Lower the learning rate or check these samples.");
    this.step = step;
    this.sampleKeys = List.copyOf(sampleKeys);
  }

  public long step() {
    return step;
  }

  public List<String> sampleKeys() {
    return sampleKeys;
  }
}
