package dev.recap.worker.train;

/**
 * Optimization settings of a {@link ClipTrainer}.
 *
 * @param schedule learning rate per step
 * @param adamW optimizer hyper-parameters
 * @param clipNorm global gradient norm limit ({@code <= 0}: no clipping)
 * @param maxConsecutiveSkips non-finite steps in a row tolerated before the run stops (fp16
 *     loss-scale overflows do not count)
 * @param precision forward/backward arithmetic
 */
public record TrainingOptions(
    CosineSchedule schedule, AdamW.Options adamW, double clipNorm, int maxConsecutiveSkips, Precision precision) {

  /** fp32 options. */
  public TrainingOptions(CosineSchedule schedule, AdamW.Options adamW, double clipNorm, int maxConsecutiveSkips) {
    this(schedule, adamW, clipNorm, maxConsecutiveSkips, Precision.FP32);
  }

  /** These options with another precision. */
  public TrainingOptions withPrecision(Precision p) {
    return new TrainingOptions(schedule, adamW, clipNorm, maxConsecutiveSkips, p);
  }

  /**
   * CLIP defaults around a schedule, OpenCLIP's: AdamW(0.9, 0.98, 1e-6, wd 0.2), no gradient
   * clipping; stop after 5 skips.
   */
  public static TrainingOptions clip(CosineSchedule schedule) {
    return new TrainingOptions(schedule, AdamW.Options.clip(), 0, 5);
  }

  /** These options with another gradient norm limit ({@code <= 0}: none). */
  public TrainingOptions withClipNorm(double limit) {
    return new TrainingOptions(schedule, adamW, limit, maxConsecutiveSkips, precision);
  }
}
