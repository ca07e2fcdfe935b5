package dev.recap.worker.train;

/**
 * What one optimizer step did.
 *
 * @param step the 0-based step index this result is for
 * @param loss the global-batch loss (mean over accumulation micro-batches); NaN/inf when skipped
 * @param gradNorm global gradient norm before clipping (of the summed gradient)
 * @param learningRate the rate used
 * @param skipped true when some replica saw a non-finite loss or gradient and nobody updated
 * @param logitScale {@code exp(logit_scale)} after the step
 */
public record StepResult(long step, double loss, double gradNorm, double learningRate, boolean skipped, double logitScale) {}
