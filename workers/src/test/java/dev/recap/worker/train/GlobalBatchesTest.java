package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch semantics across a change of gang size: the global batch of a step is fixed, ranks take
 * contiguous slices of it in rank order, so the gathered batch (and with it the loss, the summed
 * gradient and the learning rate of the step) is the same for every N.
 */
class GlobalBatchesTest {

  @TempDir
  static Path dir;

  private static ShardPairs data;

  @BeforeAll
  static void writeShards() throws IOException {
    PairShards.write(dir.resolve("shards"), 48, 20, GangWorkerMain.SIZE, GangWorkerMain.SEED);
    data = GangWorkerMain.shardData(dir.resolve("shards"), 12);
  }

  @Test
  void theSlicesOfAnyGangSizeConcatenateToTheSameGlobalBatch() {
    for (long step = 0; step < 8; step++) {
      ClipBatch whole = data.slice(step, 0, 1);
      for (int n = 1; n <= 5; n++) {
        List<String> keys = new ArrayList<>();
        float[] pixels = new float[whole.pixels().length];
        int offset = 0;
        for (int r = 0; r < n; r++) {
          ClipBatch part = data.slice(step, r, n);
          keys.addAll(part.keys());
          System.arraycopy(part.pixels(), 0, pixels, offset, part.pixels().length);
          assertArrayEquals(java.util.Arrays.copyOfRange(whole.tokens(), keys.size() - part.size(), keys.size()),
              part.tokens(), "captions of rank " + r + " of " + n);
          offset += part.pixels().length;
          int expected = (r + 1) * 12 / n - r * 12 / n;
          assertEquals(expected, part.size(), "rank " + r + " of " + n + " takes its share of 12");
        }
        assertEquals(whole.keys(), keys, "step " + step + ", gang of " + n);
        assertArrayEquals(whole.pixels(), pixels, "step " + step + ", gang of " + n);
      }
    }
  }

  @Test
  void everyEpochVisitsEverySampleOnceInASeededOrder() throws IOException {
    List<List<String>> orders = new ArrayList<>();
    for (int epoch = 0; epoch < 3; epoch++) {
      Set<String> keys = new HashSet<>();
      List<String> order = new ArrayList<>();
      for (long s = epoch * 4L; s < epoch * 4L + 4; s++) {
        List<String> batch = data.slice(s, 0, 1).keys();
        keys.addAll(batch);
        batch.forEach(k -> order.add(withoutEpoch(k)));
      }
      assertEquals(48, keys.size(), "epoch " + epoch);
      orders.add(order);
    }
    assertEveryEpochDiffers(orders, "order");
    assertEquals(data.slice(5, 0, 1).keys(), GangWorkerMain.shardData(dir.resolve("shards"), 12).slice(5, 0, 1).keys(),
        "same seed, same order");
    assertEquals(true, data.slice(0, 0, 1).keys().stream().allMatch(k -> k.startsWith("epoch-0/sample-")), "epoch-keyed");
  }

  @Test
  void samplesBeyondTheLastWholeBatchWaitForALaterEpoch(@TempDir Path other) throws IOException {
    PairShards.write(other, 30, 7, GangWorkerMain.SIZE, GangWorkerMain.SEED);
    ShardPairs odd = GangWorkerMain.shardData(other, 12);
    assertEquals(2, odd.stepsPerEpoch(), "30 samples make 2 whole batches of 12");
    assertEquals(6, odd.totalSteps(3, 0));
    assertEquals(5, odd.totalSteps(3, 5), "maxSteps caps");
    List<Set<String>> perEpoch = new ArrayList<>();
    for (int e = 0; e < 3; e++) {
      Set<String> keys = new HashSet<>();
      for (long s = 2L * e; s < 2L * e + 2; s++) {
        ClipBatch b = odd.slice(s, 0, 1);
        assertEquals(12, b.size());
        b.keys().forEach(k -> keys.add(withoutEpoch(k)));
      }
      assertEquals(24, keys.size(), "epoch " + e + " trains 24 distinct samples");
      perEpoch.add(keys);
    }
    assertEveryEpochDiffers(perEpoch, "trained samples (each epoch's permutation leaves other samples over)");
  }

  private static String withoutEpoch(String key) {
    return key.substring(key.indexOf('/') + 1);
  }

  private static void assertEveryEpochDiffers(List<?> perEpoch, String what) {
    for (int a = 0; a < perEpoch.size(); a++) {
      for (int b = a + 1; b < perEpoch.size(); b++) {
        assertNotEquals(perEpoch.get(a), perEpoch.get(b), "epochs " + a + " and " + b + " have the same " + what);
      }
    }
  }

  @Test
  void aGangLargerThanTheGlobalBatchIsRefusedNamingBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.slice(0, 0, 13));
    assertEquals(true, e.getMessage().contains("13") && e.getMessage().contains("12"), e.getMessage());
  }
}
