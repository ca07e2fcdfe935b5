package dev.recap.plugins.mci;

import ai.djl.nn.Block;

/** A train-time multi-branch block that fuses into a single convolution for inference. */
interface Reparameterizable {

  /** Whether this block is already in its single-convolution inference form. */
  boolean isFused();

  /**
   * Sets the initializers of {@code inference}, the same block built with {@code fused = true},
   * so that once initialized it computes what this (initialized) block computes in inference
   * mode.
   */
  void fuseInto(Block inference);
}
