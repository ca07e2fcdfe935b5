package dev.recap.worker.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which shards a data-parallel rank reads in an epoch, and which a curation task processes.
 * Ranks: the shard list is permuted by (seed, epoch), then rank {@code r} of {@code w} takes the
 * permuted positions {@code r, r + w, r + 2w, ...}: every shard, hence every sample, is read by
 * exactly one rank per epoch, and the split differs from epoch to epoch.
 */
public final class ShardAssignment {

  private ShardAssignment() {}

  /** The shards in the order all ranks agree on for this epoch. */
  public static <T> List<T> epochOrder(List<T> shards, long seed, int epoch) {
    List<T> order = new ArrayList<>(shards);
    SplittableRandom rnd = new SplittableRandom(Mixing.mix(seed, epoch, 0x5A4D));
    for (int i = order.size() - 1; i > 0; i--) { // Fisher-Yates
      int j = rnd.nextInt(i + 1);
      T t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    return order;
  }

  /** The shards rank {@code rank} of {@code worldSize} reads in {@code epoch}, in reading order. */
  public static <T> List<T> forRank(List<T> shards, long seed, int epoch, int rank, int worldSize) {
    if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in [0, worldSize), got rank=" + rank + " worldSize=" + worldSize);
    }
    List<T> order = epochOrder(shards, seed, epoch);
    List<T> mine = new ArrayList<>();
    for (int i = rank; i < order.size(); i += worldSize) {
      mine.add(order.get(i));
    }
    return mine;
  }

  /** The contiguous block of shards curation task {@code task} of {@code taskCount} processes. */
  public static <T> List<T> forTask(List<T> shards, int task, int taskCount) {
    if (taskCount <= 0 || task < 0 || task >= taskCount) {
      throw new IllegalArgumentException("task must be in [0, taskCount), got task=" + task + " taskCount=" + taskCount);
    }
    int n = shards.size();
    int from = (int) ((long) n * task / taskCount);
    int to = (int) ((long) n * (task + 1) / taskCount);
    return List.copyOf(shards.subList(from, to));
  }
}
