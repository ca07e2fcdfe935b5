package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.recap.api.PluginConfig;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.exchange.LocalCollective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MaskedImageTrainerTest {

  private static MaskedImageTrainer trainer(NDManager m, Collective c, double lr) {
    return trainer(m, c, TinyClip.options(lr, 100));
  }

  private static MaskedImageTrainer trainer(NDManager m, Collective c, TrainingOptions options) {
    synchronized (TinyClip.class) {
      Engine.getInstance().setRandomSeed(21);
      MaskedImageModel model = new MaskedImageModel(new ConvImageEncoderFixture().build(PluginConfig.of("channels", 8)), 32);
      model.initialize(m, TinyClip.SIZE, TinyClip.SIZE);
      return new MaskedImageTrainer(model, m, options, c, 0.75, 5);
    }
  }

  private static float[] parameters(MaskedImageTrainer t) {
    List<Float> out = new ArrayList<>();
    for (var p : t.model().parameterList()) {
      for (float v : p.getArray().toFloatArray()) {
        out.add(v);
      }
    }
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  @Test
  void masksThreeQuartersOfPatchesDeterministically() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskedImageTrainer t = trainer(m, Collective.single(), 1e-3);
      boolean[] a = t.mask(3, 7, 16);
      int masked = 0;
      for (boolean b : a) {
        masked += b ? 1 : 0;
      }
      assertEquals(12, masked);
      assertArrayEquals(a, t.mask(3, 7, 16));
      assertFalse(Arrays.equals(a, t.mask(3, 8, 16)), "different samples get different masks");
    }
  }

  @Test
  void reconstructionLossFallsOnCleanImages() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskedImageTrainer t = trainer(m, Collective.single(), 1e-2);
      double first = 0;
      double last = 0;
      int steps = 60;
      for (int s = 0; s < steps; s++) {
        ClipBatch b = TinyClip.batch(s, 0, 8, 0f);
        double loss = t.step(b.pixels(), 8, TinyClip.SIZE, TinyClip.SIZE, 0).loss();
        if (s < 5) {
          first += loss / 5;
        }
        if (s >= steps - 5) {
          last += loss / 5;
        }
      }
      System.out.printf("masked image modeling: loss first 5 steps %.4f, last 5 %.4f%n", first, last);
      // the fixture's receptive field is small, so most masked patches stay hard to infer: a clear,
      // not a dramatic, fall is what this encoder can show
      assertTrue(last < 0.85 * first, "reconstruction loss " + first + " -> " + last);
    }
  }

  @Test
  void twoReplicasMatchOneOnTheGlobalBatch() throws Exception {
    float[] single;
    try (NDManager m = NDManager.newBaseManager()) {
      MaskedImageTrainer t = trainer(m, Collective.single(), 5e-3);
      for (int s = 0; s < 3; s++) {
        t.step(TinyClip.batch(s, 0, 8, 0.2f).pixels(), 8, TinyClip.SIZE, TinyClip.SIZE, 0);
      }
      single = parameters(t);
    }
    List<Collective> ranks = LocalCollective.create(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<NDManager> managers = List.of(NDManager.newBaseManager(), NDManager.newBaseManager());
    try {
      List<MaskedImageTrainer> trainers = List.of(trainer(managers.get(0), ranks.get(0), 5e-3), trainer(managers.get(1), ranks.get(1), 5e-3));
      List<Future<float[]>> futures = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          MaskedImageTrainer t = trainers.get(rank);
          for (int s = 0; s < 3; s++) {
            t.step(TinyClip.batch(s, rank * 4, 4, 0.2f).pixels(), 4, TinyClip.SIZE, TinyClip.SIZE, rank * 4);
          }
          return parameters(t);
        }));
      }
      float[] a = futures.get(0).get();
      assertArrayEquals(a, futures.get(1).get());
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < a.length; i++) {
        diff += (double) (a[i] - single[i]) * (a[i] - single[i]);
        norm += (double) single[i] * single[i];
      }
      assertTrue(Math.sqrt(diff / norm) < 1e-5, "relative difference " + Math.sqrt(diff / norm));
    } finally {
      pool.shutdownNow();
      managers.forEach(NDManager::close);
    }
  }

  @Test
  void bf16ProductsKeepTheReconstructionLossWithinTwoPercentOfFp32() {
    // same init, batches and masks: only the arithmetic of the decoder's products differs
    int steps = 200;
    Precision[] precisions = {Precision.BF16_PRODUCTS, Precision.FP32};
    double[][] losses = new double[2][steps];
    for (int p = 0; p < 2; p++) {
      try (NDManager m = NDManager.newBaseManager()) {
        MaskedImageTrainer t = trainer(m, Collective.single(), TinyClip.options(1e-3, steps).withPrecision(precisions[p]));
        assertEquals(precisions[p], t.precision());
        for (int s = 0; s < steps; s++) {
          losses[p][s] = t.step(TinyClip.batch(s, 0, 8, 0.2f).pixels(), 8, TinyClip.SIZE, TinyClip.SIZE, 0).loss();
        }
      }
    }
    double gap = 0;
    double total = 0;
    double widest = 0;
    for (int s = 0; s < steps; s++) {
      gap += Math.abs(losses[0][s] - losses[1][s]);
      total += losses[1][s];
      widest = Math.max(widest, Math.abs(losses[0][s] - losses[1][s]));
    }
    System.out.printf("masked image modeling, bf16 products vs fp32 over %d steps: curve gap %.3f%%, widest %.4f%n",
        steps, 100 * gap / total, widest);
    assertTrue(widest > 0, "bf16 products gave fp32's losses bit for bit: the bfloat16 kernels did not run");
    assertTrue(gap / total < 0.02, "bf16 products left fp32's reconstruction loss curve by " + 100 * gap / total + "%");
  }

  @Test
  void fp16MixedIsRefusedNamingThePrecision() {
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> trainer(m, Collective.single(), TinyClip.options(1e-3, 10).withPrecision(Precision.FP16_MIXED)));
      assertTrue(e.getMessage().contains("fp16"), e.getMessage());
    }
  }
}
