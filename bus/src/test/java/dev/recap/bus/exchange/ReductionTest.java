package dev.recap.bus.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import java.util.AbstractMap;
import java.util.Map;
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
  void theContributionThatCompletesABucketGetsTheSumAndCountsAsThatRanksRead() {
    Map.Entry<Object, Reduction> entry = new AbstractMap.SimpleEntry<>("k", null);
    ExchangeRead first = new AddToReduction(1, 2, new float[] {2f, 3f}).process(entry);
    assertEquals(ExchangeRead.Status.INCOMPLETE, first.status());
    assertArrayEquals(new int[] {0}, first.missingRanks());
    ExchangeRead last = new AddToReduction(0, 2, new float[] {1f, 1f}).process(entry);
    assertEquals(ExchangeRead.Status.COMPLETE, last.status());
    assertArrayEquals(new float[] {3f, 4f}, last.floats());
    assertNotNull(entry.getValue(), "rank 1 has not read yet");
    ExchangeRead read = new ReadReduction(1).process(entry);
    assertArrayEquals(new float[] {3f, 4f}, read.floats());
    assertNull(entry.getValue(), "both ranks have the sum: the entry is removed");
  }

  @Test
  void floatArraysSurviveHazelcastSerializationAcrossStagingBlocks() {
    SerializationService serialization = new DefaultSerializationServiceBuilder().build();
    for (int length : new int[] {0, 1, 16 * 1024, 16 * 1024 + 3, 100_000}) {
      float[] values = new float[length];
      for (int i = 0; i < length; i++) {
        values[i] = i * 0.37f - 5f;
      }
      if (length > 0) {
        values[length / 2] = Float.NaN;
      }
      ExchangeRead back = serialization.toObject(serialization.toData(ExchangeRead.of(values)));
      assertArrayEquals(values, back.floats(), "length " + length);
    }
    Reduction empty = serialization.toObject(serialization.toData(new Reduction(3)));
    assertNull(empty.sum(), "a null array stays null");
  }

  @Test
  void rankMasksNameTheMissingRanks() {
    long mask = RankMask.with(RankMask.with(0L, 0), 63);
    assertArrayEquals(new int[] {1, 2}, RankMask.missing(RankMask.with(0L, 0), 3));
    assertTrue(RankMask.contains(mask, 63));
    assertTrue(RankMask.all(64) == -1L);
  }
}
