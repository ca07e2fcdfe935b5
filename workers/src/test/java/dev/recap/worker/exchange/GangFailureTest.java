package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member of the gang dies mid-step. The operation timeout is 10 minutes, so only membership
 * detection can end the waiting ranks' step before the test's own timeout.
 */
@Timeout(90)
class GangFailureTest {

  @Test
  void aMemberDyingMidAllReduceFailsTheOthersNamingTheStepAndItsRank() throws Exception {
    ExchangeOptions patient = ExchangeOptions.builder().bucketFloats(1000)
        .operationTimeout(Duration.ofMinutes(10)).mapName("failure-test").build();
    try (LoopbackCluster cluster = new LoopbackCluster().start(3)) {
      HazelcastInstance doomed = cluster.members.get(2);
      CountDownLatch joined = new CountDownLatch(3);
      Thread killer = new Thread(() -> {
        try {
          joined.await();
          // Ranks 0 and 1 contribute and wait; rank 2 never does, then its member dies.
          HazelcastInstance observer = cluster.members.get(0);
          while (observer.getMap("failure-test").size() < 6) {
            Thread.sleep(10);
          }
          doomed.getLifecycleService().terminate();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killer.start();
      List<GangBrokenException> errors = Gangs.onEveryRank(cluster.members, "gang-f", patient,
          c -> {
            joined.countDown();
            if (c.rank() == 2) {
              return null;
            }
            GangBrokenException e = assertThrows(GangBrokenException.class,
                () -> c.allReduceSum("grad/step-5", new float[6000]));
            // The collective stays broken: the next operation fails at once.
            GangBrokenException next = assertThrows(GangBrokenException.class,
                () -> c.allGather("emb/step-6", new float[1]));
            assertEquals("emb/step-6", next.tag());
            return e;
          });
      killer.join(TimeUnit.SECONDS.toMillis(10));
      for (int r = 0; r < 2; r++) {
        GangBrokenException e = errors.get(r);
        assertEquals("grad/step-5", e.tag(), e.getMessage());
        assertArrayEquals(new int[] {2}, e.missingRanks(), e.getMessage());
        assertTrue(e.getMessage().contains("left the cluster"), e.getMessage());
      }
    }
  }
}
