package dev.recap.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class HazelcastCollectiveTest {

  private static LoopbackCluster cluster;

  private static final ExchangeOptions SMALL_BUCKETS = smallBuckets("recap.exchange");

  /** Buckets of 1000 floats in a map of its own, so a test can check what it left behind. */
  private static ExchangeOptions smallBuckets(String mapName) {
    return ExchangeOptions.builder().bucketFloats(1000).operationTimeout(Duration.ofSeconds(60))
        .mapName(mapName).build();
  }

  @BeforeAll
  static void startThreeMembers() {
    cluster = new LoopbackCluster().start(3);
  }

  @AfterAll
  static void stopMembers() {
    cluster.close();
  }

  /** Values over many magnitudes, so that the order of additions changes the float result. */
  static float[] gradient(int rank, int step, int length) {
    Random random = new Random(1000L * step + rank);
    float[] g = new float[length];
    for (int i = 0; i < length; i++) {
      g[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
    }
    return g;
  }

  static float[] sumInRankOrder(List<float[]> perRank) {
    float[] sum = perRank.get(0).clone();
    for (int r = 1; r < perRank.size(); r++) {
      float[] next = perRank.get(r);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += next[i];
      }
    }
    return sum;
  }

  private static String gangId() {
    return "gang-" + UUID.randomUUID();
  }

  @Test
  void allReduceSumEqualsTheRankOrderSumBitForBitOnEveryRank() throws Exception {
    int length = 4 * 1000 + 17; // five buckets, the last one short
    int steps = 3;
    ExchangeOptions options = smallBuckets("reduce-test");
    List<float[][]> results = Gangs.onEveryRank(cluster.members, gangId(), options, c -> {
      float[][] out = new float[steps][];
      for (int step = 0; step < steps; step++) {
        float[] g = gradient(c.rank(), step, length);
        c.allReduceSum("grad/step-" + step, g);
        out[step] = g;
      }
      return out;
    });
    for (int step = 0; step < steps; step++) {
      int s = step;
      List<float[]> inputs = List.of(gradient(0, s, length), gradient(1, s, length),
          gradient(2, s, length));
      float[] expected = sumInRankOrder(inputs);
      float[] reversed = sumInRankOrder(List.of(inputs.get(2), inputs.get(1), inputs.get(0)));
      assertFalse(Arrays.equals(expected, reversed),
          "test data too tame: summation order should matter");
      for (int r = 0; r < 3; r++) {
        assertArrayEquals(expected, results.get(r)[step], "rank " + r + " step " + step);
      }
    }
    assertEquals(0, cluster.members.get(0).getMap("reduce-test").size(),
        "finished steps must leave no entries");
  }

  @Test
  void theAllReduceLayoutGivesEveryRankAnEqualShareInBucketsCoveringTheBufferOnce() {
    for (int n : new int[] {2, 3, 5}) {
      for (int length : new int[] {1, 7, 1000, 1_250_001}) {
        int bucketFloats = 4096;
        List<HazelcastCollective.Bucket> layout = HazelcastCollective.Bucket.layout(length, n, bucketFloats);
        int next = 0;
        int[] perOwner = new int[n];
        for (HazelcastCollective.Bucket b : layout) {
          assertEquals(next, b.from(), "buckets are contiguous, in order (n=" + n + ", length=" + length + ")");
          assertTrue(b.to() > b.from() && b.to() - b.from() <= bucketFloats, b.toString());
          perOwner[b.owner()] += b.to() - b.from();
          next = b.to();
        }
        assertEquals(length, next, "the buckets cover the buffer (n=" + n + ", length=" + length + ")");
        int share = (length + n - 1) / n;
        for (int r = 0; r < n; r++) {
          assertTrue(perOwner[r] <= share, "rank " + r + " holds " + perOwner[r] + " > " + share);
        }
        if (length >= n * share) {
          assertEquals(share, perOwner[n - 1], "the last rank holds a full share");
        }
      }
    }
  }

  @Test
  void bucketsAreSpreadOverTheMembersOfTheGang() throws Exception {
    List<UUID> uuids = cluster.uuids();
    Gang gang = new Gang(gangId(), 0, uuids);
    PartitionPlan plan = PartitionPlan.compute(cluster.members.get(0), gang);
    for (int r = 0; r < 3; r++) {
      assertTrue(plan.partitionsOf(r) > 10, "rank " + r + " owns partitions");
      for (int i = 0; i < 5; i++) {
        Object key = plan.keyOn(r, i, "k" + i);
        assertEquals(uuids.get(r), PartitionPlan.ownerOf(cluster.members.get(1), key),
            "key " + i + " placed on rank " + r);
        assertEquals(plan.partitionOf(r, i),
            cluster.members.get(2).getPartitionService().getPartition(key).getPartitionId());
      }
    }
  }

  @Test
  void allGatherReturnsEveryRanksArrayIndexedByRank() throws Exception {
    ExchangeOptions options = smallBuckets("gather-test");
    List<float[][]> results = Gangs.onEveryRank(cluster.members, gangId(), options, c -> {
      float[] local = gradient(c.rank(), 9, 10 + c.rank()); // lengths differ by rank
      float[][] first = c.allGather("emb/step-0", local);
      assertTrue(first[c.rank()] == local, "own entry is the local array");
      return c.allGather("emb/step-1", gradient(c.rank(), 10, 3));
    });
    for (int r = 0; r < 3; r++) {
      for (int from = 0; from < 3; from++) {
        assertArrayEquals(gradient(from, 10, 3), results.get(r)[from], r + " from " + from);
      }
    }
    assertEquals(0, cluster.members.get(0).getMap("gather-test").size());
  }

  @Test
  void allGatherLongsActsAsABarrierCarryingOneValuePerRank() throws Exception {
    List<long[]> results = Gangs.onEveryRank(cluster.members, gangId(), SMALL_BUCKETS,
        c -> c.allGatherLongs("commit/step-4", 100L + c.rank()));
    for (long[] r : results) {
      assertArrayEquals(new long[] {100, 101, 102}, r);
    }
  }

  @Test
  void aRankThatNeverArrivesFailsTheStepAfterTheTimeoutNamingIt() throws Exception {
    ExchangeOptions shortTimeout = ExchangeOptions.builder().bucketFloats(1000)
        .operationTimeout(Duration.ofSeconds(10)).build(); // long enough that a loaded machine's slow reads see rank 1 missing first
    List<GangBrokenException> errors = Gangs.onEveryRank(cluster.members, gangId(), shortTimeout,
        c -> {
          if (c.rank() == 1) {
            return null; // rank 1 skips the step
          }
          return assertThrows(GangBrokenException.class,
              () -> c.allReduceSum("grad/step-3", new float[2500]));
        });
    for (int r : new int[] {0, 2}) {
      GangBrokenException e = errors.get(r);
      assertEquals("grad/step-3", e.tag());
      assertArrayEquals(new int[] {1}, e.missingRanks(), e.getMessage());
      assertTrue(e.getMessage().contains("operationTimeout"), e.getMessage());
    }
  }

  @Test
  void ranksThatDisagreeOnArrayLengthAllGetAnErrorInsteadOfWaiting() throws Exception {
    List<String> messages = Gangs.onEveryRank(cluster.members.subList(0, 2), gangId(),
        SMALL_BUCKETS, c -> {
          float[] g = new float[c.rank() == 0 ? 10 : 11];
          try {
            c.allReduceSum("grad/step-0", g);
            return "no error";
          } catch (IllegalStateException e) {
            return e.getMessage();
          }
        });
    for (String m : messages) {
      assertTrue(m.contains("equal size") && m.contains("grad/step-0"), messages.toString());
    }
  }

  @Test
  void aGangWhoseMemberIsNotInTheClusterFailsToJoin() {
    HazelcastInstance member = cluster.members.get(0);
    UUID ghost = UUID.randomUUID();
    Gang gang = new Gang(gangId(), 0, List.of(cluster.uuids().get(0), ghost));
    GangBrokenException e = assertThrows(GangBrokenException.class,
        () -> HazelcastCollective.join(member, gang, SMALL_BUCKETS));
    assertArrayEquals(new int[] {1}, e.missingRanks());
    assertNotNull(e.getMessage());
  }

  @Test
  void aGangNamingAnotherMemberForThisRankIsRejected() {
    Gang gang = new Gang(gangId(), 1, cluster.uuids());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HazelcastCollective.join(cluster.members.get(0), gang, SMALL_BUCKETS));
    assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
  }
}
