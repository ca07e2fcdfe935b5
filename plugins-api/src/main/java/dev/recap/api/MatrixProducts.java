package dev.recap.api;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.Objects;

/**
 * The matrix products of a forward pass: linear layers and (batched) matrix multiplications. Encoders
 * compute them through {@link #current()} instead of calling {@code Linear.linear} or
 * {@code NDArray.matMul} directly, so the host can choose the arithmetic of the products for the
 * pass it runs (the trainer runs them in bfloat16 where the hardware has fast bfloat16 units) while
 * everything else stays in the inputs' dtype.
 *
 * <p>The contract an implementation keeps: the result has the dtype of the inputs (float32 stays
 * float32 whatever the products ran in), gradients flow to every input under autograd, and values
 * differ from {@link #EXACT}'s only by the rounding of the chosen arithmetic.
 *
 * <p>The choice is per thread: {@link #use(MatrixProducts)} sets it for a scope; without one,
 * {@link #EXACT} (DJL's own operators in the inputs' dtype) is used.
 */
public interface MatrixProducts {

  /** {@code x W^T + b} over the last axis of {@code x}; {@code bias} may be null. */
  NDArray linear(NDArray x, NDArray weight, NDArray bias);

  /** {@code a @ b} with broadcasting over leading axes, as {@code NDArray.matMul}. */
  NDArray matMul(NDArray a, NDArray b);

  /** A short name for results and logs, e.g. {@code fp32} or {@code bf16-products}. */
  String describe();

  /** DJL's operators in the inputs' dtype. */
  MatrixProducts EXACT = new MatrixProducts() {
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

  /** The products this thread computes with: the innermost {@link #use} scope's, else {@link #EXACT}. */
  static MatrixProducts current() {
    return Scope.CURRENT.get();
  }

  /**
   * Computes this thread's products with {@code products} until the returned scope is closed, which
   * restores the previous choice. Scopes nest.
   */
  static Scope use(MatrixProducts products) {
    Objects.requireNonNull(products, "products");
    Scope scope = new Scope(Scope.CURRENT.get());
    Scope.CURRENT.set(products);
    return scope;
  }

  /** A {@link #use} scope: closing it restores the products in use before it. */
  final class Scope implements AutoCloseable {
    private static final ThreadLocal<MatrixProducts> CURRENT = ThreadLocal.withInitial(() -> EXACT);
    private final MatrixProducts previous;

    private Scope(MatrixProducts previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      CURRENT.set(previous);
    }
  }
}
