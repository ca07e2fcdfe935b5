package dev.recap.worker.train;

/**
 * Optimization settings of a {@link ClipTrainer}.
 *
 * @param schedule learning rate per step
 * @param adamW optimizer hyper-parameters
 * @param clipNorm global gradient norm limit ({@code <= 0}: no clipping)
 * @param maxConsecutiveSkips non-finite steps in a row tolerated before the run stops
 */
public record TrainingOptions(CosineSchedule schedule, AdamW.Options adamW, double clipNorm, int maxConsecutiveSkips) {

  /** CLIP defaults around a schedule: AdamW(0.9, 0.98, 1e-6, wd 0.2), clip at 1.0, stop after 5 skips. */
  public static TrainingOptions clip(CosineSchedule schedule) {
    return new TrainingOptions(schedule, AdamW.Options.clip(), 1.0, 5);
  }
}
