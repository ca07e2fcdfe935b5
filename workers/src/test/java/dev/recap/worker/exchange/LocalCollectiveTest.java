package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LocalCollectiveTest {

  private static <T> List<Future<T>> run(List<Collective> ranks, Function<Collective, T> body) {
    ExecutorService pool = Executors.newFixedThreadPool(ranks.size());
    List<Future<T>> out = new ArrayList<>();
    for (Collective c : ranks) {
      out.add(pool.submit(() -> body.apply(c)));
    }
    pool.shutdown();
    return out;
  }

  @Test
  void allReduceSumsInRankOrderAndEveryRankGetsTheSameBits() throws Exception {
    List<Collective> ranks = LocalCollective.create(3);
    List<Future<float[]>> results = run(ranks, c -> {
      float[] data = {c.rank() + 1, 0.1f * (c.rank() + 1), 1e8f * (c.rank() == 0 ? 1 : -0.5f)};
      for (int round = 0; round < 50; round++) {
        float[] copy = data.clone();
        c.allReduceSum("r" + round, copy);
        if (round == 49) {
          return copy;
        }
      }
      throw new AssertionError();
    });
    float[] first = results.get(0).get();
    assertEquals(6f, first[0]);
    assertEquals((0.1f + 0.2f) + 0.3f, first[1]);
    assertEquals(0f, first[2]);
    for (Future<float[]> f : results) {
      assertArrayEquals(first, f.get());
    }
  }

  @Test
  void allGatherReturnsEveryRanksArrayByRank() throws Exception {
    List<Collective> ranks = LocalCollective.create(2);
    List<Future<float[][]>> results = run(ranks, c -> c.allGather("g", new float[c.rank() + 1]));
    float[][] a = results.get(0).get();
    assertEquals(1, a[0].length);
    assertEquals(2, a[1].length);
    assertEquals(2, results.get(1).get().length);
  }

  @Test
  void mismatchedTagsFailWithBothNamed() {
    List<Collective> ranks = LocalCollective.create(2, 5, TimeUnit.SECONDS);
    List<Future<float[][]>> results = run(ranks, c -> c.allGather(c.rank() == 0 ? "step-1" : "step-2", new float[1]));
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> results.get(0).get());
    assertTrue(e.getCause().getMessage().contains("out of step") || e.getCause().getMessage().contains("another rank"),
        e.getCause().getMessage());
  }

  @Test
  void aRankThatNeverArrivesFailsTheOthersInsteadOfHanging() {
    List<Collective> ranks = LocalCollective.create(2, 200, TimeUnit.MILLISECONDS);
    List<Future<float[][]>> results = run(List.of(ranks.get(0)), c -> c.allGather("lonely", new float[1]));
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> results.get(0).get());
    assertTrue(e.getCause().getMessage().contains("did not arrive"), e.getCause().getMessage());
  }
}
