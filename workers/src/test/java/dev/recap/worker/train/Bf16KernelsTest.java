package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.recap.api.Kernels;
import dev.recap.api.encoder.Gelu;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class Bf16KernelsTest {

  /** bfloat16 keeps 8 significant bits: a product of k terms is off by about 2^-8 relative, per term. */
  private static final double BF16_RELATIVE = 1.0 / 128;

  @Test
  void productsAndFusedKernelsComputeInBfloat16AndReturnFloat32WithGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      NDArray x = m.randomNormal(new Shape(4, 5, 64));
      NDArray w = m.randomNormal(0, 0.125f, new Shape(32, 64), DataType.FLOAT32);
      NDArray b = m.randomNormal(new Shape(32));
      NDArray k = m.randomNormal(new Shape(4, 64, 7));
      Kernels bf16 = Bf16Kernels.on(m.getDevice());
      compare("linear", new NDArray[] {x, w, b}, (p, in) -> p.linear(in[0], in[1], in[2]), bf16);
      compare("linear without bias", new NDArray[] {x, w}, (p, in) -> p.linear(in[0], in[1], null), bf16);
      compare("matMul", new NDArray[] {x, k}, (p, in) -> p.matMul(in[0], in[1]), bf16);
      NDArray w1 = m.randomNormal(0, 0.125f, new Shape(256, 64), DataType.FLOAT32);
      NDArray b1 = m.randomNormal(0, 0.1f, new Shape(256), DataType.FLOAT32);
      NDArray w2 = m.randomNormal(0, 0.0625f, new Shape(64, 256), DataType.FLOAT32);
      NDArray b2 = m.randomNormal(0, 0.1f, new Shape(64), DataType.FLOAT32);
      compare("feedForward", new NDArray[] {x, w1, b1, w2, b2},
          (p, in) -> p.feedForward(in[0], in[1], in[2], in[3], in[4], Gelu.EXACT), bf16);
      compare("feedForward with QuickGELU", new NDArray[] {x, w1, b1, w2, b2},
          (p, in) -> p.feedForward(in[0], in[1], in[2], in[3], in[4], Gelu.QUICK), bf16);
      NDArray inW = m.randomNormal(0, 0.125f, new Shape(192, 64), DataType.FLOAT32);
      NDArray inB = m.randomNormal(0, 0.1f, new Shape(192), DataType.FLOAT32);
      NDArray outW = m.randomNormal(0, 0.125f, new Shape(64, 64), DataType.FLOAT32);
      NDArray outB = m.randomNormal(0, 0.1f, new Shape(64), DataType.FLOAT32);
      compare("selfAttention", new NDArray[] {x, inW, inB, outW, outB},
          (p, in) -> p.selfAttention(in[0], in[1], in[2], in[3], in[4], 4, null), bf16);
      float[] causal = new float[25];
      for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
          causal[i * 5 + j] = Float.NEGATIVE_INFINITY;
        }
      }
      NDArray mask = m.create(causal, new Shape(5, 5));
      compare("selfAttention with a causal mask", new NDArray[] {x, inW, inB, outW, outB},
          (p, in) -> p.selfAttention(in[0], in[1], in[2], in[3], in[4], 4, mask), bf16);
    }
  }

  private static void compare(String what, NDArray[] inputs, BiFunction<Kernels, NDArray[], NDArray> op, Kernels bf16) {
    NDArray[][] grads = new NDArray[2][];
    NDArray[] outs = new NDArray[2];
    Kernels[] kernels = {Kernels.EXACT, bf16};
    for (int i = 0; i < 2; i++) {
      NDArray[] in = new NDArray[inputs.length];
      for (int j = 0; j < in.length; j++) {
        in[j] = inputs[j].duplicate();
        in[j].setRequiresGradient(true);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = op.apply(kernels[i], in);
        // a loss whose gradient is not all ones, so the backward products are exercised too
        gc.backward(y.mul(y).sum());
        outs[i] = y;
      }
      grads[i] = new NDArray[in.length];
      for (int j = 0; j < in.length; j++) {
        grads[i][j] = in[j].getGradient();
      }
    }
    assertEquals(DataType.FLOAT32, outs[1].getDataType(), what + ": result dtype");
    assertEquals(outs[0].getShape(), outs[1].getShape(), what + ": result shape");
    double error = relative(outs[1], outs[0]);
    assertTrue(error > 0, what + ": bf16 kernels gave fp32's result bit for bit: the bfloat16 kernel did not run");
    assertTrue(error < BF16_RELATIVE, what + ": bf16 result off by " + error + " (relative), more than bfloat16 rounding");
    for (int j = 0; j < grads[0].length; j++) {
      assertEquals(DataType.FLOAT32, grads[1][j].getDataType(), what + ": gradient " + j + " dtype");
      double g = relative(grads[1][j], grads[0][j]);
      assertTrue(g > 0 && g < 2 * BF16_RELATIVE, what + ": gradient of input " + j + " off by " + g + " (relative)");
    }
  }

  /** ||a - b|| / ||b||. */
  private static double relative(NDArray a, NDArray b) {
    return a.sub(b).norm().getFloat() / b.norm().getFloat();
  }

  @Test
  void scopesNestAndRestoreThePreviousProducts() {
    try (NDManager m = NDManager.newBaseManager()) {
      Kernels bf16 = Bf16Kernels.on(m.getDevice());
      assertEquals(Kernels.EXACT, Kernels.current());
      try (Kernels.Scope outer = Kernels.use(bf16)) {
        assertEquals(bf16, Kernels.current());
        try (Kernels.Scope inner = Kernels.use(Kernels.EXACT)) {
          assertEquals(Kernels.EXACT, Kernels.current());
        }
        assertEquals(bf16, Kernels.current());
      }
      assertEquals(Kernels.EXACT, Kernels.current());
    }
  }

  @Test
  void autoPicksBf16OnlyWhereTheHardwareHasItAndTheSwitchForcesEither() {
    String before = System.getProperty(Precision.PROPERTY);
    try {
      System.clearProperty(Precision.PROPERTY);
      Precision auto = Precision.forDevice(ai.djl.Device.cpu());
      assertEquals(Precision.cpuHasBf16() ? Precision.BF16_PRODUCTS : Precision.FP32, auto);
      System.setProperty(Precision.PROPERTY, "fp32");
      assertEquals(Precision.FP32, Precision.forDevice(ai.djl.Device.cpu()));
      assertEquals(Precision.FP32, Precision.forDevice(ai.djl.Device.gpu()));
      System.setProperty(Precision.PROPERTY, "bf16");
      assertEquals(Precision.BF16_PRODUCTS, Precision.forDevice(ai.djl.Device.cpu()));
      System.setProperty(Precision.PROPERTY, "half");
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> Precision.forDevice(ai.djl.Device.cpu()));
      assertTrue(e.getMessage().contains("'half'"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(Precision.PROPERTY);
      } else {
        System.setProperty(Precision.PROPERTY, before);
      }
    }
  }
}
