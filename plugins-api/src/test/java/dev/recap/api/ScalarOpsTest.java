package dev.recap.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The constant that autograd saves for the backward pass must survive garbage collection between
 * forward and backward. Between the two, this test collects garbage and fills freshly allocated
 * native memory with NaN, as a busy worker JVM would reuse it; the gradients must still be exact.
 * (With DJL's {@code x.mul(3.0)} / {@code x.div(4.0)} / {@code x.maximum(0.5f)} the saved constant
 * lives in a Java direct buffer that the collector frees: this test then sees garbage or NaN.)
 */
class ScalarOpsTest {

  @Test
  void gradientsThroughConstantsAreExactAfterGarbageCollection() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int round = 0; round < 20; round++) {
        NDArray x = m.create(new float[] {0.25f, 1f, 2f});
        x.setRequiresGradient(true);
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray xs = x;
          NDArray loss = ScalarOps.times(xs, 3).sum()
              .add(ScalarOps.dividedBy(xs, 4).sum())
              .add(ScalarOps.atLeast(xs, 0.5).sum());
          churnNativeMemory();
          gc.backward(loss);
        }
        // d/dx [3x + x/4 + max(x, 0.5)] = 3.25 + (x > 0.5 ? 1 : 0)
        assertArrayEquals(new float[] {3.25f, 4.25f, 4.25f}, x.getGradient().toFloatArray(), 1e-6f, "round " + round);
      }
    }
  }

  private static void churnNativeMemory() throws InterruptedException {
    System.gc();
    Thread.sleep(5);
    List<ByteBuffer> reuse = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 4)).order(ByteOrder.nativeOrder());
      while (b.remaining() >= 4) {
        b.putFloat(Float.NaN);
      }
      reuse.add(b);
    }
    reuse.clear();
  }
}
