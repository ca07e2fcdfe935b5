package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** A skipped step's non-finite gradient is cleared in place, and the next backward starts from 0. */
class GradientZeroingTest {

  @Test
  void nonFiniteGradientsAreZeroedInPlaceAndTheNextBackwardAccumulatesFromZero() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0f, 1f, 3f});
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.sub(2).sqrt().sum().add(w.log().sum())); // NaN where w < 2, -inf/inf at w = 0
      }
      float[] bad = w.getGradient().toFloatArray();
      assertTrue(!Float.isFinite(bad[0]) && !Float.isFinite(bad[1]), "the fixture must produce non-finite gradients");
      try (NDManager step = m.newSubManager()) {
        NDArray g = w.getGradient();
        g.attach(step);
        StepGradients.zeroInPlace(g);
      }
      System.gc(); // the handle used for zeroing is gone; the parameter's gradient must not depend on it
      assertArrayEquals(new float[] {0f, 0f, 0f}, w.getGradient().toFloatArray());
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.mul(2).sum());
      }
      assertArrayEquals(new float[] {2f, 2f, 2f}, w.getGradient().toFloatArray());
    }
  }
}
