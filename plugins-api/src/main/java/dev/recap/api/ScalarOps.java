package dev.recap.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe under autograd. Use these instead of
 * {@code x.mul(2.0)}, {@code x.div(n)} or {@code x.maximum(1e-6f)} on any value that gradients
 * flow through.
 *
 * <p>Why: DJL's PyTorch engine implements {@code NDArray.mul(Number)} (and {@code div},
 * {@code maximum}, {@code minimum}, ...) by wrapping the number in a 0-dimensional array whose
 * memory is a Java direct buffer ({@code from_blob}), computing, and closing that array at once.
 * PyTorch's autograd keeps the operand for the backward pass ({@code mul}, {@code div},
 * {@code maximum} and {@code minimum} save it), but the memory belongs to Java: once the closed
 * array is garbage-collected, the backward pass reads freed memory. Gradients then come out scaled
 * by garbage, or NaN, depending on when the collector ran (seen as a sporadic NaN gradient in the
 * learned captioner's attention: none in 50 steps normally, 42-50 of 50 with a thread forcing
 * garbage collections). Here the constant is a tensor that libtorch allocates and owns
 * ({@code full}), so the saved operand lives as long as autograd needs it.
 */
public final class ScalarOps {

  private ScalarOps() {}

  /** A 0-dimensional tensor of {@code like}'s dtype, owned by libtorch, on {@code like}'s manager. */
  public static NDArray constant(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }

  /** {@code x * s}. */
  public static NDArray times(NDArray x, double s) {
    return x.mul(constant(x, s));
  }

  /** {@code x / s}. */
  public static NDArray dividedBy(NDArray x, double s) {
    return x.div(constant(x, s));
  }

  /** {@code max(x, floor)} elementwise. */
  public static NDArray atLeast(NDArray x, double floor) {
    return x.maximum(constant(x, floor));
  }
}
