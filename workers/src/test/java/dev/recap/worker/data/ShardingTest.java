package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardingTest {

  @TempDir static Path dir;
  static List<RecordShard> shards;
  static final int SAMPLES = 37; // 8 shards of 5, the last one short

  @BeforeAll
  static void writeShards() throws Exception {
    shards = DatasetWriter.writeShards(new TestSamples(8, 5), 0, SAMPLES, 5, dir, "s", ImageFormat.PNG)
        .stream().<RecordShard>map(TarShard::new).toList();
  }

  private static List<String> keysOf(LoaderOptions opt) throws Exception {
    List<String> keys = new ArrayList<>();
    try (BatchLoader loader = new BatchLoader(shards, opt); NDManager nd = NDManager.newBaseManager()) {
      for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
        keys.addAll(b.keys());
        b.close();
      }
    }
    return keys;
  }

  private static LoaderOptions.Builder base() {
    return LoaderOptions.builder().batchSize(4).imageSize(8).shuffleBuffer(6).seed(42);
  }

  @Test
  void ranksCoverEverySampleExactlyOncePerEpochFor1To3Ranks() throws Exception {
    for (int world = 1; world <= 3; world++) {
      for (int epoch = 0; epoch < 2; epoch++) {
        List<String> all = new ArrayList<>();
        for (int rank = 0; rank < world; rank++) {
          all.addAll(keysOf(base().epoch(epoch).rank(rank, world).build()));
        }
        Set<String> distinct = new HashSet<>(all);
        assertEquals(SAMPLES, all.size(), "world " + world + " epoch " + epoch + ": no duplicates");
        assertEquals(SAMPLES, distinct.size(), "world " + world + " epoch " + epoch + ": every sample");
      }
    }
  }

  @Test
  void shuffleIsDeterministicPerEpochAndSeedAndIndependentOfThreads() throws Exception {
    List<String> a = keysOf(base().epoch(1).threads(1).build());
    List<String> b = keysOf(base().epoch(1).threads(2).prefetch(2).build());
    List<String> otherEpoch = keysOf(base().epoch(2).build());
    List<String> otherSeed = keysOf(base().epoch(1).seed(43).build());
    assertEquals(a, b);
    assertNotEquals(a, otherEpoch);
    assertNotEquals(a, otherSeed);
    assertEquals(new HashSet<>(a), new HashSet<>(otherEpoch));
  }

  @Test
  void resumingFromAPositionContinuesTheEpochExactly() throws Exception {
    LoaderOptions opt = base().epoch(3).rank(1, 2).build();
    List<List<String>> batches = new ArrayList<>();
    List<float[]> pixels = new ArrayList<>();
    DataPosition afterTwo = null;
    try (BatchLoader loader = new BatchLoader(shards, opt); NDManager nd = NDManager.newBaseManager()) {
      for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
        batches.add(b.keys());
        pixels.add(b.images().toFloatArray());
        if (batches.size() == 2) {
          afterTwo = DataPosition.fromBytes(b.position().toBytes());
        }
        b.close();
      }
    }
    assertTrue(batches.size() > 3, "need a few batches, got " + batches.size());
    LoaderOptions resumed = base().rank(1, 2).resumeFrom(afterTwo).build();
    try (BatchLoader loader = new BatchLoader(shards, resumed); NDManager nd = NDManager.newBaseManager()) {
      for (int i = 2; i < batches.size(); i++) {
        try (Batch b = loader.next(nd)) {
          assertEquals(batches.get(i), b.keys(), "batch " + i);
          assertEquals(java.util.Arrays.toString(pixels.get(i)), java.util.Arrays.toString(b.images().toFloatArray()),
              "same crops and flips after resuming, batch " + i);
        }
      }
      assertEquals(null, loader.next(nd));
    }
  }

  @Test
  void curationTasksSplitShardsIntoContiguousBlocks() {
    List<Integer> list = IntStream.range(0, 10).boxed().toList();
    List<Integer> joined = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      joined.addAll(ShardAssignment.forTask(list, t, 3));
    }
    assertEquals(list, joined);
    assertEquals(List.of(0, 1, 2), ShardAssignment.forTask(list, 0, 3));
  }
}
