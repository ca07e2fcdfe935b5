package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.exchange.LoopbackCluster;
import dev.recap.worker.exchange.ReplicaDivergenceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gang of two members in this JVM (each its own Hazelcast member and model): non-finite steps
 * are skipped by all and stop the run after the configured number in a row; replicas whose
 * parameters diverge stop the run at the next checksum.
 */
@Timeout(120)
class GangSafetyTest {

  private static final int BATCH = 8;

  @Test
  void aNonFiniteBatchOnOneRankIsSkippedByAllAndRepeatedOnesStopTheRun(@TempDir Path dir) throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    GlobalBatches poisoned = new GlobalBatches() {
      final SyntheticPairs data = GangWorkerMain.data(32, BATCH);

      @Override
      public int globalBatch() {
        return BATCH;
      }

      @Override
      public ClipBatch rows(long step, int from, int to) {
        ClipBatch b = data.rows(step, from, to);
        if (step >= 2 && from > 0) { // rank 1's rows from step 2 on
          float[] pixels = b.pixels();
          Arrays.fill(pixels, Float.NaN);
          return new ClipBatch(pixels, b.height(), b.width(), b.tokens(), b.keys());
        }
        return b;
      }
    };
    List<Object> outcomes = runGang(dir, poisoned, 1, events, -1);
    for (Object o : outcomes) {
      NonFiniteTrainingException e = assertInstanceOf(NonFiniteTrainingException.class, o, String.valueOf(o));
      assertEquals(3, e.step(), "the second non-finite step in a row stops the run (maxConsecutiveSkips = 1)");
    }
    String skipped = events.stream().filter(m -> m.startsWith("step 2 skipped") && m.contains("rank 1")).findFirst()
        .orElseThrow(() -> new AssertionError("no event for the skipped step 2 on rank 1: " + events));
    List<String> rank1Keys = GangWorkerMain.data(32, BATCH).slice(2, 1, 2).keys();
    assertTrue(skipped.contains(rank1Keys.toString()), skipped + " names the samples " + rank1Keys);
  }

  @Test
  void replicasWhoseParametersDivergeStopTheRunAtTheNextChecksum(@TempDir Path dir) throws Exception {
    List<Object> outcomes = runGang(dir, GangWorkerMain.data(32, BATCH), 5, new CopyOnWriteArrayList<>(), 1);
    for (Object o : outcomes) {
      ReplicaDivergenceException e = assertInstanceOf(ReplicaDivergenceException.class, o, String.valueOf(o));
      assertTrue(e.getMessage().contains("checksum/step-3"), e.getMessage());
    }
  }

  /** Runs two members to their end; returns each one's exception (or its last step). */
  private static List<Object> runGang(Path dir, GlobalBatches data, int maxSkips, List<String> events,
      long corruptAfterStep) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (LoopbackCluster cluster = new LoopbackCluster().start(2)) {
      GangMember.Settings settings = new GangMember.Settings("safety", 8, 4, 2, 2, 3, 4, dir,
          ExchangeOptions.builder().bucketFloats(16 * 1024).operationTimeout(Duration.ofSeconds(30)).build());
      List<Future<Object>> futures = new java.util.ArrayList<>();
      for (int m = 0; m < 2; m++) {
        var hz = cluster.members.get(m);
        futures.add(pool.submit(() -> {
          try (NDManager manager = NDManager.newBaseManager()) {
            ClipModel model = GangWorkerMain.model(manager);
            TrainingOptions base = GangWorkerMain.options(8);
            TrainingOptions options = new TrainingOptions(base.schedule(), base.adamW(), base.clipNorm(), maxSkips);
            GangMember member = new GangMember(hz, settings, model, manager, options, data, new GangMember.Observer() {
              @Override
              public void stepped(StepResult r, int rank, int worldSize, List<String> keys) {
                if (r.step() == corruptAfterStep && rank == 1) {
                  NDArray w = model.textProjection().getArray();
                  float[] v = w.toFloatArray();
                  v[0] += 1e-3f;
                  Autograd.withGradMode(false, () -> {
                    w.set(v);
                    return null;
                  });
                }
              }

              @Override
              public void event(String message) {
                events.add(message);
              }
            });
            return (Object) member.run();
          } catch (Exception e) {
            return e;
          }
        }));
      }
      List<Object> out = new java.util.ArrayList<>();
      for (Future<Object> f : futures) {
        out.add(f.get(100, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
