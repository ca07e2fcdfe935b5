package dev.recap.worker.train;

/** Arithmetic used for the forward and backward passes. Parameters and optimizer state stay fp32. */
public enum Precision {
  /** Everything in float32 (the default). */
  FP32,
  /**
   * Mixed fp16: each step casts the fp32 master weights and the images to float16, runs both
   * towers in fp16, casts the embeddings back to fp32 for the gather and the loss, and scales the
   * loss (dynamic: halved on overflow, that step skipped; doubled after 200 clean steps) so small
   * gradients survive fp16. Never bfloat16: DJL 0.36's PyTorch JNI aborts the JVM on it.
   */
  FP16_MIXED
}
