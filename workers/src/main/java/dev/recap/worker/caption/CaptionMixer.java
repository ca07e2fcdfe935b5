package dev.recap.worker.caption;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Per-sample caption mixing at training time: the curated caption with probability {@code p},
 * else the original (Recap-DataComp-1B uses p = 0.8).
 *
 * <p>The choice is a pure function of (seed, epoch, sample key), not of the order samples arrive
 * in, so every worker of a gang, and a re-run after a failure, picks the same caption for the same
 * sample; it changes from epoch to epoch. A missing curated caption falls back to the original and
 * vice versa.
 */
public final class CaptionMixer {

  private final double curatedProbability;
  private final long seed;

  /**
   * @param curatedProbability p in [0, 1]
   * @param seed the job's seed
   */
  public CaptionMixer(double curatedProbability, long seed) {
    if (!(curatedProbability >= 0 && curatedProbability <= 1)) {
      throw new IllegalArgumentException("caption mixing probability must be in [0, 1], got " + curatedProbability);
    }
    this.curatedProbability = curatedProbability;
    this.seed = seed;
  }

  /** The caption to train on for {@code key} in {@code epoch}. */
  public String choose(String key, long epoch, String original, String curated) {
    Objects.requireNonNull(key, "key");
    if (curated == null || curated.isBlank()) {
      return original;
    }
    if (original == null || original.isBlank()) {
      return curated;
    }
    return useCurated(key, epoch) ? curated : original;
  }

  /** Whether {@link #choose} takes the curated caption of {@code key} in {@code epoch}. */
  public boolean useCurated(String key, long epoch) {
    long h = seed * 0x9E3779B97F4A7C15L + epoch;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001B3L;
    }
    // uniform in [0, 1) from the top 53 bits of a SplitMix64 finalizer
    h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    h ^= h >>> 31;
    return (h >>> 11) * 0x1.0p-53 < curatedProbability;
  }
}
