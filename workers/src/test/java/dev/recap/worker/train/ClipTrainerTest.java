package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.recap.worker.exchange.Collective;
import dev.recap.worker.exchange.LocalCollective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ClipTrainerTest {

  private static final int BATCH = 8;

  /** Runs {@code body(rank, trainer)} on one thread per replica; returns each rank's result. */
  static <T> List<T> onReplicas(int world, int seed, TrainingOptions options, BiFunction<Integer, ClipTrainer, T> body)
      throws Exception {
    List<Collective> ranks = LocalCollective.create(world);
    List<NDManager> managers = new ArrayList<>();
    List<ClipTrainer> trainers = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      NDManager m = NDManager.newBaseManager();
      managers.add(m);
      trainers.add(new ClipTrainer(TinyClip.model(m, seed), m, options, ranks.get(r)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        futures.add(pool.submit(() -> body.apply(rank, trainers.get(rank))));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
      managers.forEach(NDManager::close);
    }
  }

  private static double relativeDifference(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
      norm += (double) a[i] * a[i];
    }
    return Math.sqrt(diff / norm);
  }

  @Test
  void twoReplicasWithHalfBatchesMatchOneReplicaOnTheGlobalBatch() throws Exception {
    int steps = 4;
    TrainingOptions options = TinyClip.options(5e-3, 20);
    float[] single = onReplicas(1, 42, options, (rank, t) -> {
      for (int s = 0; s < steps; s++) {
        t.step(TinyClip.batch(s, 0, BATCH));
      }
      return TinyClip.flatParameters(t.model());
    }).get(0);
    List<float[]> pair = onReplicas(2, 42, options, (rank, t) -> {
      for (int s = 0; s < steps; s++) {
        t.step(TinyClip.batch(s, rank * BATCH / 2, BATCH / 2));
      }
      return TinyClip.flatParameters(t.model());
    });
    assertArrayEquals(pair.get(0), pair.get(1), "replicas must hold bit-identical parameters");
    float[] initial;
    try (NDManager m = NDManager.newBaseManager()) {
      initial = TinyClip.flatParameters(TinyClip.model(m, 42));
    }
    double moved = relativeDifference(single, initial);
    double rel = relativeDifference(single, pair.get(0));
    System.out.printf("2x(B/2) vs 1xB after %d steps: relative difference %.3e (parameters moved %.3e)%n", steps, rel, moved);
    assertTrue(moved > 1e-3, "training must move the parameters, moved " + moved);
    assertTrue(rel < 1e-5, "relative difference " + rel);
  }

  @Test
  void lossFallsWellBelowLnBatchOnATinyLearnableSet() throws Exception {
    int steps = 100;
    double[] losses = onReplicas(1, 7, TinyClip.options(1e-2, steps), (rank, t) -> {
      double[] l = new double[steps];
      for (int s = 0; s < steps; s++) {
        l[s] = t.step(TinyClip.batch(s, 0, BATCH)).loss();
      }
      return l;
    }).get(0);
    double first = Arrays.stream(losses, 0, 5).average().orElseThrow();
    double last = Arrays.stream(losses, steps - 10, steps).average().orElseThrow();
    System.out.printf("loss: first 5 steps %.4f, last 10 steps %.4f, ln(B) = %.4f%n", first, last, Math.log(BATCH));
    assertTrue(first > 0.8 * Math.log(BATCH), "starts near ln(B): " + first);
    assertTrue(last < 0.25 * Math.log(BATCH), "final loss " + last + " not well below ln(B)");
  }

  @Test
  void fp16MixedPrecisionTrainsTheTinySetLikeFp32() throws Exception {
    // same model seed, same batches, same schedule: only the precision differs
    int steps = 100;
    double[][] losses = new double[2][];
    float[][] parameters = new float[2][];
    Precision[] precisions = {Precision.FP16_MIXED, Precision.FP32};
    for (int p = 0; p < 2; p++) {
      int run = p;
      losses[p] = onReplicas(1, 7, TinyClip.options(1e-2, steps).withPrecision(precisions[p]), (rank, t) -> {
        double[] l = new double[steps];
        for (int s = 0; s < steps; s++) {
          l[s] = t.step(TinyClip.batch(s, 0, BATCH)).loss();
        }
        assertEquals(DataTypeCheck.FLOAT32, DataTypeCheck.of(t));
        parameters[run] = TinyClip.flatParameters(t.model());
        return l;
      }).get(0);
    }
    float[] initial;
    try (NDManager m = NDManager.newBaseManager()) {
      initial = TinyClip.flatParameters(TinyClip.model(m, 7));
    }
    double[] last = new double[2];
    for (int p = 0; p < 2; p++) {
      last[p] = Arrays.stream(losses[p], steps - 10, steps).average().orElseThrow();
    }
    double widestGap = 0;
    int widestAt = 0;
    for (int s = 0; s < steps; s++) {
      double gap = Math.abs(losses[0][s] - losses[1][s]);
      if (gap > widestGap) {
        widestGap = gap;
        widestAt = s;
      }
    }
    double apart = relativeDifference(parameters[1], parameters[0]);
    double moved = relativeDifference(parameters[1], initial);
    System.out.printf("final loss (mean of last 10 of %d steps): fp16 mixed %.4f, fp32 %.4f; widest gap %.4f at step %d;"
        + " parameters fp16 vs fp32 %.3e (fp32 moved %.3e from init)%n", steps, last[0], last[1], widestGap, widestAt, apart, moved);
    assertTrue(last[1] < 0.25 * Math.log(BATCH), "fp32 did not learn: " + last[1]);
    assertTrue(last[0] < 0.25 * Math.log(BATCH), "fp16 mixed precision did not learn: " + last[0]);
    assertTrue(widestGap > 0, "fp16 mixed gave fp32's losses bit for bit: the half-precision path did not run");
    // measured on the dev machine: widest gap 0.012 (losses start at 2.7), parameters 4.8e-3 apart
    assertTrue(widestGap < 0.05, "fp16 mixed left fp32's loss curve: gap " + widestGap + " at step " + widestAt
        + " (fp16 " + losses[0][widestAt] + ", fp32 " + losses[1][widestAt] + ")");
    assertTrue(apart < 0.05 * moved, "fp16 mixed ended " + apart + " from fp32's parameters, which moved " + moved + " from init");
  }

  @Test
  void bf16ProductsKeepTheLossCurveWithinTwoPercentOfFp32Over500Steps() throws Exception {
    // same model seed, same batches, same schedule: only the arithmetic of the products differs.
    // lr 1e-3 (the pretrain default's order). Measured on the dev machine: 0.28% at lr 1e-3; at
    // lr 1e-2 this set is memorised to a loss of 0.0000 within 500 steps and the two runs part
    // by 2.8% (widest 0.26), trajectories there being chaotic under any rounding change
    int steps = 500;
    double[][] losses = new double[2][];
    Precision[] precisions = {Precision.BF16_PRODUCTS, Precision.FP32};
    for (int p = 0; p < 2; p++) {
      losses[p] = onReplicas(1, 11, TinyClip.options(1e-3, steps).withPrecision(precisions[p]), (rank, t) -> {
        double[] l = new double[steps];
        for (int s = 0; s < steps; s++) {
          l[s] = t.step(TinyClip.batch(s, 0, BATCH)).loss();
        }
        assertEquals(DataTypeCheck.FLOAT32, DataTypeCheck.of(t));
        return l;
      }).get(0);
    }
    // the curves compared as a whole: the summed gap over the summed fp32 loss
    double gap = 0;
    double total = 0;
    double widest = 0;
    for (int s = 0; s < steps; s++) {
      gap += Math.abs(losses[0][s] - losses[1][s]);
      total += losses[1][s];
      widest = Math.max(widest, Math.abs(losses[0][s] - losses[1][s]));
    }
    double last = Arrays.stream(losses[1], steps - 25, steps).average().orElseThrow();
    double lastBf16 = Arrays.stream(losses[0], steps - 25, steps).average().orElseThrow();
    System.out.printf("bf16 products vs fp32 over %d steps: curve gap %.3f%% of the fp32 curve, widest %.4f;"
        + " last 25 steps %.4f vs %.4f%n", steps, 100 * gap / total, widest, lastBf16, last);
    assertTrue(widest > 0, "bf16 products gave fp32's losses bit for bit: the bfloat16 kernels did not run");
    assertTrue(last < 0.25 * Math.log(BATCH), "fp32 did not learn: " + last);
    assertTrue(gap / total < 0.02, "bf16 products left fp32's loss curve by " + 100 * gap / total + "% (summed gap / summed loss)");
  }

  /** The master weights stay float32 whatever the precision. */
  enum DataTypeCheck {
    FLOAT32, OTHER;

    static DataTypeCheck of(ClipTrainer t) {
      return t.model().parameterList().stream().allMatch(p -> p.getArray().getDataType() == ai.djl.ndarray.types.DataType.FLOAT32)
          ? FLOAT32 : OTHER;
    }
  }

  @Test
  void nonFiniteSamplesOnOneReplicaMakeAllSkipThenStop() throws Exception {
    TrainingOptions base = TinyClip.options(5e-3, 20);
    TrainingOptions options = new TrainingOptions(base.schedule(), base.adamW(), base.clipNorm(), 2);
    List<String> outcome = onReplicas(2, 3, options, (rank, t) -> {
      float[] before = TinyClip.flatParameters(t.model());
      StringBuilder log = new StringBuilder();
      for (int s = 0; s < 3; s++) {
        ClipBatch b = TinyClip.batch(s, rank * 4, 4);
        if (rank == 1) {
          b.pixels()[5] = Float.NaN;
        }
        try {
          StepResult r = t.step(b);
          log.append(r.skipped() ? "skip " : "apply ");
        } catch (NonFiniteTrainingException e) {
          log.append("stop@").append(e.step()).append(' ').append(e.sampleKeys());
        }
      }
      assertArrayEquals(before, TinyClip.flatParameters(t.model()), "a skipped step must not change parameters");
      return log.toString();
    });
    assertEquals("skip skip stop@2 [step2/sample0, step2/sample1, step2/sample2, step2/sample3]", outcome.get(0));
    assertEquals("skip skip stop@2 [step2/sample4, step2/sample5, step2/sample6, step2/sample7]", outcome.get(1));
  }

  @Test
  void twoReplicasAccumulatingMicroBatchesMatchOneReplicaAccumulatingTheGlobalMicroBatches() throws Exception {
    // Replicas overlap the last micro-batch's all-reduce with backward; earlier micro-batches
    // accumulate first. Global micro-batch k = rows [k*B/2, (k+1)*B/2), rank r holds its half.
    int steps = 3;
    TrainingOptions options = TinyClip.options(5e-3, 20);
    float[] single = onReplicas(1, 5, options, (rank, t) -> {
      for (int s = 0; s < steps; s++) {
        t.step(List.of(TinyClip.batch(s, 0, BATCH / 2), TinyClip.batch(s, BATCH / 2, BATCH / 2)));
      }
      return TinyClip.flatParameters(t.model());
    }).get(0);
    List<float[]> pair = onReplicas(2, 5, options, (rank, t) -> {
      for (int s = 0; s < steps; s++) {
        t.step(List.of(TinyClip.batch(s, rank * BATCH / 4, BATCH / 4),
            TinyClip.batch(s, BATCH / 2 + rank * BATCH / 4, BATCH / 4)));
      }
      return TinyClip.flatParameters(t.model());
    });
    assertArrayEquals(pair.get(0), pair.get(1), "replicas must hold bit-identical parameters");
    double rel = relativeDifference(single, pair.get(0));
    assertTrue(rel < 1e-5, "relative difference " + rel);
  }

  @Test
  void accumulatingIdenticalMicroBatchesEqualsOneBatch() throws Exception {
    TrainingOptions options = TinyClip.options(5e-3, 20);
    float[] one = onReplicas(1, 9, options, (rank, t) -> {
      t.step(TinyClip.batch(0, 0, 4));
      return TinyClip.flatParameters(t.model());
    }).get(0);
    float[] two = onReplicas(1, 9, options, (rank, t) -> {
      t.step(List.of(TinyClip.batch(0, 0, 4), TinyClip.batch(0, 0, 4)));
      return TinyClip.flatParameters(t.model());
    }).get(0);
    assertTrue(relativeDifference(one, two) < 1e-6, "accumulated " + relativeDifference(one, two));
  }

  @Test
  void logitScaleStartsAtOneOverPointZeroSevenAndIsClampedAtHundred() throws Exception {
    List<Double> scales = onReplicas(1, 5, TinyClip.options(1e-3, 20), (rank, t) -> {
      double initial = Math.exp(t.model().logitScale().getArray().getFloat());
      t.model().logitScale().getArray().set(new float[] {6f}); // exp(6) = 403, above the clamp
      double after = t.step(TinyClip.batch(0, 0, BATCH)).logitScale();
      return List.of(initial, after);
    }).get(0);
    assertEquals(1 / 0.07, scales.get(0), 1e-4);
    assertEquals(100.0, scales.get(1), 1e-3);
  }

  @Test
  void stepsAreScopedAndLeaveNoArraysBehind() throws Exception {
    List<Integer> counts = onReplicas(1, 1, TinyClip.options(1e-3, 100), (rank, t) -> {
      t.step(TinyClip.batch(0, 0, BATCH));
      NDManager root = t.model().logitScale().getArray().getManager();
      int after1 = root.getManagedArrays().size();
      for (int s = 1; s < 40; s++) {
        t.step(TinyClip.batch(s, 0, BATCH));
      }
      return List.of(after1, root.getManagedArrays().size());
    }).get(0);
    assertEquals(counts.get(0), counts.get(1), "arrays owned by the model's manager grew over 40 steps");
  }
}
