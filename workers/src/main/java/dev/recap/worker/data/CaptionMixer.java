package dev.recap.worker.data;

import dev.recap.api.data.Sample;

/**
 * Chooses each sample's training caption: the curated one with probability {@code p} (if the
 * sample has one), else the original from {@code source}. The choice depends only on (seed, key),
 * so every epoch, rank and retry agrees on it.
 */
public final class CaptionMixer {

  private final String source;
  private final CaptionOverrides overrides;
  private final double curatedProbability;
  private final long seed;

  /**
   * @param source caption source of the original caption, e.g. {@link Sample#ALT}; falls back to
   *     any caption the sample has
   */
  public CaptionMixer(String source, CaptionOverrides overrides, double curatedProbability, long seed) {
    if (!(curatedProbability >= 0 && curatedProbability <= 1)) {
      throw new IllegalArgumentException("curated caption probability must be in [0, 1], got " + curatedProbability);
    }
    this.source = source;
    this.overrides = overrides;
    this.curatedProbability = curatedProbability;
    this.seed = seed;
  }

  /** The caption to train on, or null if the sample has none. */
  public String caption(Sample sample) {
    if (curatedProbability > 0 && Mixing.unit(Mixing.mix(seed, Mixing.key(sample.key()), 0xCA9)) < curatedProbability) {
      String curated = overrides.caption(sample.key()).orElse(null);
      if (curated != null && !curated.isBlank()) {
        return curated;
      }
    }
    String original = sample.captions().get(source);
    if (original == null && !sample.captions().isEmpty()) {
      original = sample.captions().get(Sample.ALT);
      if (original == null) {
        original = sample.captions().values().iterator().next();
      }
    }
    return original;
  }
}
