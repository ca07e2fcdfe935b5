package dev.recap.plugins.vit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.encoder.Gelu;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finite-difference check of one pre-LN block in float64: the autograd gradient of
 * {@code sum(block(x) * w)} with respect to the input and to every parameter agrees with central
 * differences at sampled coordinates.
 */
class ResidualAttentionBlockGradientCheckTest {

  private static final double H = 1e-6;
  /** Relative tolerance, plus an absolute floor for gradients that are zero in exact arithmetic
   * (the key bias: softmax ignores a per-query constant) where differences leave ~1e-10 noise. */
  private static final double RELATIVE = 1e-6;
  private static final double ABSOLUTE = 1e-8;

  @ParameterizedTest
  @EnumSource(Gelu.class)
  void autogradMatchesCentralDifferencesForInputAndEveryParameter(Gelu gelu) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      Shape shape = new Shape(2, 5, 8);
      ResidualAttentionBlock block = new ResidualAttentionBlock(8, 2, 16, gelu);
      block.initialize(manager, DataType.FLOAT64, shape);
      // non-trivial LayerNorm affine and biases, so their gradients are generic
      for (Pair<String, Parameter> p : block.getParameters()) {
        p.getValue().getArray().addi(manager.randomNormal(0, 0.2f, p.getValue().getShape(), DataType.FLOAT64));
      }
      NDArray x = manager.randomNormal(0, 1, shape, DataType.FLOAT64);
      NDArray w = manager.randomNormal(0, 1, shape, DataType.FLOAT64);

      x.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(loss(block, manager, x, w));
      }
      List<String> failures = new ArrayList<>();
      Random random = new Random(1);
      check("input", x, x.getGradient().toDoubleArray(), () -> loss(block, manager, x, w), random, failures);
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray value = p.getValue().getArray();
        check(p.getKey(), value, value.getGradient().toDoubleArray(), () -> loss(block, manager, x, w), random, failures);
      }
      assertTrue(failures.isEmpty(), "gradient mismatches: " + failures);
    }
  }

  private static NDArray loss(ResidualAttentionBlock block, NDManager manager, NDArray x, NDArray w) {
    return block.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow().mul(w).sum();
  }

  /** Central differences at up to 6 random coordinates of {@code value}, perturbed in place. */
  private static void check(String name, NDArray value, double[] analytic, java.util.function.Supplier<NDArray> loss,
      Random random, List<String> failures) {
    int n = analytic.length;
    for (int t = 0; t < Math.min(6, n); t++) {
      int i = random.nextInt(n);
      double[] delta = new double[n];
      delta[i] = H;
      NDArray step = value.getManager().create(delta, value.getShape());
      value.addi(step);
      double plus = loss.get().getDouble();
      value.subi(step).subi(step);
      double minus = loss.get().getDouble();
      value.addi(step);
      double numeric = (plus - minus) / (2 * H);
      if (Math.abs(numeric - analytic[i]) > ABSOLUTE + RELATIVE * (Math.abs(numeric) + Math.abs(analytic[i]))) {
        failures.add(name + "[" + i + "]: autograd " + analytic[i] + ", numeric " + numeric);
      }
    }
  }
}
