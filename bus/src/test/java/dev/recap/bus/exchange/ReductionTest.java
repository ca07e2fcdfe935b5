package dev.recap.bus.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReductionTest {

  // Chosen so that (a + b) + c != (c + b) + a in float arithmetic.
  private static final float A = 1e8f;
  private static final float B = -1e8f;
  private static final float C = 1.5f;

  @Test
  void contributionsArrivingOutOfOrderAreFoldedInRankOrder() {
    assertFalse((A + B) + C == (C + B) + A, "the values must make order visible");
    Reduction bucket = new Reduction(3);
    bucket.add(2, new float[] {C});
    bucket.add(1, new float[] {B});
    assertFalse(bucket.complete());
    assertArrayEquals(new int[] {0}, bucket.missingRanks());
    bucket.add(0, new float[] {A});
    assertTrue(bucket.complete());
    assertArrayEquals(new float[] {(A + B) + C}, bucket.sum());
  }

  @Test
  void aRepeatedContributionCountsOnce() {
    Reduction bucket = new Reduction(2);
    bucket.add(0, new float[] {1f});
    bucket.add(0, new float[] {1f});
    assertArrayEquals(new int[] {1}, bucket.missingRanks());
    bucket.add(1, new float[] {2f});
    bucket.add(1, new float[] {2f});
    assertArrayEquals(new float[] {3f}, bucket.sum());
  }

  @Test
  void aContributionOfAnotherLengthFailsTheBucketNamingTheRank() {
    Reduction bucket = new Reduction(2);
    bucket.add(1, new float[3]);
    assertNull(bucket.failure());
    bucket.add(0, new float[4]);
    assertNotNull(bucket.failure());
    assertTrue(bucket.failure().contains("rank 0 contributed 4"), bucket.failure());
    assertFalse(bucket.complete());
  }

  @Test
  void theLastReaderIsTold() {
    Reduction bucket = new Reduction(2);
    bucket.add(0, new float[1]);
    bucket.add(1, new float[1]);
    assertFalse(bucket.markRead(1));
    assertTrue(bucket.markRead(0));
  }

  @Test
  void rankMasksNameTheMissingRanks() {
    long mask = RankMask.with(RankMask.with(0L, 0), 63);
    assertArrayEquals(new int[] {1, 2}, RankMask.missing(RankMask.with(0L, 0), 3));
    assertTrue(RankMask.contains(mask, 63));
    assertTrue(RankMask.all(64) == -1L);
  }
}
