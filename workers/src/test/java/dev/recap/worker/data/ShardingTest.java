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

  private static List<List<String>> batchesOf(LoaderOptions opt) throws Exception {
    List<List<String>> batches = new ArrayList<>();
    try (BatchLoader loader = new BatchLoader(shards, opt); NDManager nd = NDManager.newBaseManager()) {
      for (Batch b = loader.next(nd); b != null; b = loader.next(nd)) {
        batches.add(b.keys());
        b.close();
      }
    }
    return batches;
  }

  @Test
  void ranksCoverEverySampleExactlyOncePerEpochFor1To3Ranks() throws Exception {
    for (RankSplit split : RankSplit.values()) {
      for (int world = 1; world <= 3; world++) {
        for (int epoch = 0; epoch < 2; epoch++) {
          List<String> all = new ArrayList<>();
          for (int rank = 0; rank < world; rank++) {
            all.addAll(keysOf(base().split(split).epoch(epoch).rank(rank, world).build()));
          }
          Set<String> distinct = new HashSet<>(all);
          String what = split + " world " + world + " epoch " + epoch;
          assertEquals(SAMPLES, all.size(), what + ": no duplicates");
          assertEquals(SAMPLES, distinct.size(), what + ": every sample");
        }
      }
    }
  }

  @Test
  void bySampleRanksTogetherSeeExactlyTheSingleProcessGlobalBatches() throws Exception {
    for (int world = 2; world <= 3; world++) {
      List<List<String>> single = batchesOf(base().batchSize(4 * world).epoch(1).build());
      List<List<List<String>>> perRank = new ArrayList<>();
      for (int rank = 0; rank < world; rank++) {
        perRank.add(batchesOf(base().epoch(1).rank(rank, world).build()));
      }
      for (int k = 0; k < single.size(); k++) {
        List<String> union = new ArrayList<>();
        for (int rank = 0; rank < world; rank++) {
          if (k < perRank.get(rank).size()) { // the last, partial global batch may not reach every rank
            union.addAll(perRank.get(rank).get(k));
          }
        }
        assertEquals(single.get(k), union, "world " + world + " global batch " + k);
      }
      for (int rank = 0; rank < world; rank++) {
        assertEquals(SAMPLES / (4 * world), batchesOf(base().epoch(1).rank(rank, world).dropLast(true).build()).size(),
            "with dropLast every rank takes the same number of steps");
      }
    }
  }

  @Test
  void aGangThatReformsWithAnotherWorldSizeLosesAndRepeatsNothing() throws Exception {
    // two ranks take two steps, checkpoint, and three ranks finish the epoch
    List<String> seen = new ArrayList<>();
    DataPosition checkpoint = null;
    for (int rank = 0; rank < 2; rank++) {
      try (BatchLoader loader = new BatchLoader(shards, base().epoch(4).rank(rank, 2).build());
          NDManager nd = NDManager.newBaseManager()) {
        for (int step = 0; step < 2; step++) {
          try (Batch b = loader.next(nd)) {
            seen.addAll(b.keys());
            checkpoint = b.position();
          }
        }
      }
    }
    assertEquals(16, seen.size());
    assertEquals(16, checkpoint.emitted());
    for (int rank = 0; rank < 3; rank++) {
      seen.addAll(keysOf(base().rank(rank, 3).resumeFrom(checkpoint).build()));
    }
    assertEquals(SAMPLES, seen.size());
    assertEquals(SAMPLES, new HashSet<>(seen).size());
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
    LoaderOptions opt = base().epoch(3).rank(1, 2).split(RankSplit.BY_SHARD).build();
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
    LoaderOptions resumed = base().rank(1, 2).split(RankSplit.BY_SHARD).resumeFrom(afterTwo).build();
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
