package dev.recap.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import dev.recap.api.encoder.FixedShapeBlock;
import dev.recap.api.encoder.Gelu;
import java.util.Objects;

/**
 * The heavy arithmetic of a forward pass: linear layers, matrix products, a transformer's
 * feed-forward and its self-attention. Encoders compute them through {@link #current()} instead of
 * calling DJL's operators directly, so the host can choose how they run for the pass it drives
 * (the trainer runs them with bfloat16 matrix products where the hardware has fast bfloat16 units)
 * while everything else stays in the inputs' dtype.
 *
 * <p>The contract an implementation keeps: results have the dtype of the inputs (float32 stays
 * float32 whatever the kernel ran in), gradients flow to every input under autograd, and values
 * differ from {@link #EXACT}'s only by the rounding of the arithmetic chosen. The default methods
 * are the reference: {@link #feedForward} and {@link #selfAttention} are written with
 * {@link #linear} and {@link #matMul}, so an implementation may override only those two, or fuse
 * the larger ones too (keeping the intermediate activations in its own arithmetic).
 *
 * <p>The choice is per thread: {@link #use(Kernels)} sets it for a scope; without one,
 * {@link #EXACT} (DJL's own operators in the inputs' dtype) is used.
 */
public interface Kernels {

  /** {@code x W^T + b} over the last axis of {@code x}; {@code bias} may be null. */
  NDArray linear(NDArray x, NDArray weight, NDArray bias);

  /** {@code a @ b} with broadcasting over leading axes, as {@code NDArray.matMul}. */
  NDArray matMul(NDArray a, NDArray b);

  /** A short name for results and logs, e.g. {@code exact} or {@code bf16-products}. */
  String describe();

  /**
   * A transformer's feed-forward part: {@code linear(gelu(linear(x, fcWeight, fcBias)), projWeight,
   * projBias)} with the given GELU variant.
   */
  default NDArray feedForward(NDArray x, NDArray fcWeight, NDArray fcBias, NDArray projWeight, NDArray projBias, Gelu gelu) {
    return linear(gelu.apply(linear(x, fcWeight, fcBias)), projWeight, projBias);
  }

  /**
   * Multi-head self-attention over {@code x [B, N, W]} in the layout of PyTorch's
   * {@code nn.MultiheadAttention}: packed {@code inWeight [3W, W]} (q, k, v stacked) and
   * {@code inBias [3W]}, {@code heads} heads of {@code W / heads}, queries scaled by
   * {@code 1/sqrt(W / heads)}, softmax (in float32 for a float16 pass) over {@code q k^T + mask} ({@code mask [N, N]}
   * additive, or null), then {@code linear(., outWeight, outBias)}.
   */
  default NDArray selfAttention(NDArray x, NDArray inWeight, NDArray inBias, NDArray outWeight, NDArray outBias, int heads,
      NDArray mask) {
    long b = x.getShape().get(0);
    long n = x.getShape().get(1);
    long width = x.getShape().get(2);
    long headDim = width / heads;
    NDArray qkv = linear(x, inWeight, inBias);
    // [B, N, 3W] -> three [B, heads, N, hd]. split (not get(i) on a [3, ...] view): its backward
    // concatenates the three gradients, where select's backward zero-fills a full [3, ...] buffer
    // per slice (profiled: ~10% of a tiny-CLIP training step went to those fills and copies)
    NDList parts = qkv.split(3, 2);
    NDArray q = ScalarOps.times(parts.get(0).reshape(b, n, heads, headDim).transpose(0, 2, 1, 3), 1.0 / Math.sqrt(headDim));
    NDArray k = parts.get(1).reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);
    NDArray v = parts.get(2).reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);
    // softmax in float32 when the pass runs in float16 (its exponentials overflow there)
    NDArray scores = FixedShapeBlock.float32(matMul(q, k.transpose(0, 1, 3, 2)));
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray attention = FixedShapeBlock.asTypeOf(scores.softmax(-1), q);
    NDArray mixed = matMul(attention, v).transpose(0, 2, 1, 3).reshape(b, n, width);
    return linear(mixed, outWeight, outBias);
  }

  /** DJL's operators in the inputs' dtype. */
  Kernels EXACT = new Kernels() {
    @Override
    public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
      return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public NDArray matMul(NDArray a, NDArray b) {
      return a.matMul(b);
    }

    @Override
    public String describe() {
      return "exact";
    }
  };

  /** The kernels this thread computes with: the innermost {@link #use} scope's, else {@link #EXACT}. */
  static Kernels current() {
    return Scope.CURRENT.get();
  }

  /**
   * Computes this thread's kernels with {@code kernels} until the returned scope is closed, which
   * restores the previous choice. Scopes nest.
   */
  static Scope use(Kernels kernels) {
    Objects.requireNonNull(kernels, "kernels");
    Scope scope = new Scope(Scope.CURRENT.get());
    Scope.CURRENT.set(kernels);
    return scope;
  }

  /** A {@link #use} scope: closing it restores the kernels in use before it. */
  final class Scope implements AutoCloseable {
    private static final ThreadLocal<Kernels> CURRENT = ThreadLocal.withInitial(() -> EXACT);
    private final Kernels previous;

    private Scope(Kernels previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      CURRENT.set(previous);
    }
  }
}
