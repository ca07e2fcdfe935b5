package dev.recap.plugins.denseheads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class BilinearResizeTest {

  @Test
  void upsamplesLikeTorchWithoutAlignedCorners() {
    try (NDManager m = NDManager.newBaseManager()) {
      // a 1x2 row [0, 4] to 1x4: sample centres at x = -0.25, 0.25, 0.75, 1.25 in input pixels,
      // clamped at the borders -> 0, 1, 3, 4
      NDArray row = m.create(new float[] {0, 4}, new Shape(1, 1, 1, 2));
      assertArrayEquals(new float[] {0, 1, 3, 4}, BilinearResize.to(row, 1, 4).toFloatArray(), 1e-6f);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomNormal(new Shape(1, 2, 3, 3)).toType(DataType.FLOAT64, false);
      NDArray weights = m.randomNormal(new Shape(1, 2, 7, 5)).toType(DataType.FLOAT64, false);
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(BilinearResize.to(x, 7, 5).mul(weights).sum());
      }
      double[] analytic = x.getGradient().toDoubleArray();
      double[] base = x.toDoubleArray();
      double eps = 1e-6;
      for (int i = 0; i < base.length; i++) {
        double[] plus = base.clone();
        double[] minus = base.clone();
        plus[i] += eps;
        minus[i] -= eps;
        double fPlus = BilinearResize.to(m.create(plus, x.getShape()), 7, 5).mul(weights).sum().getDouble();
        double fMinus = BilinearResize.to(m.create(minus, x.getShape()), 7, 5).mul(weights).sum().getDouble();
        assertEquals((fPlus - fMinus) / (2 * eps), analytic[i], 1e-6, "d/dx[" + i + "]");
      }
    }
  }
}
