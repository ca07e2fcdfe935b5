package dev.recap.worker.train;

/**
 * Learning rate: linear warmup from {@code peak / warmup} to {@code peak} over the first
 * {@code warmup} steps, then a half cosine down to {@code floor} at {@code total} steps (and
 * {@code floor} after).
 */
public record CosineSchedule(double peak, long warmup, long total, double floor) {

  public CosineSchedule {
    if (peak <= 0 || warmup < 0 || total <= warmup || floor < 0 || floor > peak) {
      throw new IllegalArgumentException("bad schedule: peak=" + peak + " warmup=" + warmup + " total=" + total + " floor=" + floor
          + " (need peak > 0, 0 <= warmup < total, 0 <= floor <= peak)");
    }
  }

  /** The rate of 0-based step {@code step}. */
  public double rate(long step) {
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    if (step >= total) {
      return floor;
    }
    double progress = (double) (step - warmup) / (total - warmup);
    return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
  }
}
