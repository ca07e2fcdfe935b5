package dev.recap.api.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class GeluTest {

  private static final double[] X = {-3, -1, -0.25, 0, 0.5, 2};

  @Test
  void quickGeluIsXTimesSigmoidOf1702XWithItsDerivative() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(X);
      x.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        y = Gelu.QUICK.apply(x);
        collector.backward(y.sum());
      }
      // the constant is a float32 scalar, as 1.702 is in a float32 PyTorch model
      double a = (float) 1.702;
      double[] expected = new double[X.length];
      double[] slope = new double[X.length];
      for (int i = 0; i < X.length; i++) {
        double s = 1 / (1 + Math.exp(-a * X[i]));
        expected[i] = X[i] * s;
        slope[i] = s + a * X[i] * s * (1 - s);
      }
      assertArrayEquals(expected, y.toDoubleArray(), 1e-12);
      assertArrayEquals(slope, x.getGradient().toDoubleArray(), 1e-12);
    }
  }

  @Test
  void exactGeluUsesTheNormalCdf() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // x * Phi(x): Phi(1) = 0.8413447460685429, Phi(-1) = 0.15865525393145707
      assertArrayEquals(new double[] {-0.15865525393145707, 0, 0.8413447460685429},
          Gelu.EXACT.apply(manager.create(new double[] {-1, 0, 1})).toDoubleArray(), 1e-9);
    }
  }

  @Test
  void configValuesNameTheVariantAndUnknownOnesNameTheKey() {
    assertEquals(Gelu.EXACT, Gelu.of(null));
    assertEquals(Gelu.QUICK, Gelu.of(" Quick_GELU "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gelu.of("relu"));
    assertEquals("config key 'activation' must be 'gelu' or 'quick_gelu', got 'relu'", e.getMessage());
  }
}
