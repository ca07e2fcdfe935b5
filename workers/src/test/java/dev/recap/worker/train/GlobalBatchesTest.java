package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Batch semantics across a change of gang size: the global batch of a step is fixed, ranks take
 * contiguous slices of it in rank order, so the gathered batch (and with it the loss, the summed
 * gradient and the learning rate of the step) is the same for every N.
 */
class GlobalBatchesTest {

  private final SyntheticPairs data = GangWorkerMain.data(48, 12);

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
  void everyEpochVisitsEverySampleOnceInASeededOrder() {
    for (int epoch = 0; epoch < 3; epoch++) {
      Set<String> keys = new HashSet<>();
      for (long s = epoch * 4L; s < epoch * 4L + 4; s++) {
        keys.addAll(data.slice(s, 0, 1).keys());
      }
      assertEquals(48, keys.size(), "epoch " + epoch);
    }
    assertEquals(data.slice(5, 0, 1).keys(), GangWorkerMain.data(48, 12).slice(5, 0, 1).keys(), "same seed, same order");
  }

  @Test
  void aGangLargerThanTheGlobalBatchIsRefusedNamingBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.slice(0, 0, 13));
    assertEquals(true, e.getMessage().contains("13") && e.getMessage().contains("12"), e.getMessage());
  }
}
