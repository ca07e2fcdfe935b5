package dev.recap.worker.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * N replicas on threads of one JVM: the in-process {@link Collective}, for tests and for
 * single-host runs. Each rank must be driven by its own thread.
 *
 * <p>Sums are computed by every rank in rank order (0 + 1 + ... + N-1), so all ranks get
 * bit-identical results. A rank that does not arrive within the timeout breaks the barrier and
 * every waiting rank fails with an {@link IllegalStateException} instead of hanging.
 */
public final class LocalCollective implements Collective {

  private final Shared shared;
  private final int rank;

  private LocalCollective(Shared shared, int rank) {
    this.shared = shared;
    this.rank = rank;
  }

  /** A world of {@code worldSize} ranks; element {@code r} of the list is rank {@code r}. */
  public static List<Collective> create(int worldSize) {
    return create(worldSize, 5, TimeUnit.MINUTES);
  }

  /** As {@link #create(int)}, failing a rank that waits longer than {@code timeout} for the others. */
  public static List<Collective> create(int worldSize, long timeout, TimeUnit unit) {
    if (worldSize <= 0) {
      throw new IllegalArgumentException("worldSize must be positive, got " + worldSize);
    }
    Shared shared = new Shared(worldSize, unit.toNanos(timeout));
    List<Collective> ranks = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      ranks.add(new LocalCollective(shared, r));
    }
    return List.copyOf(ranks);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return shared.tags.length;
  }

  @Override
  public void allReduceSum(String tag, float[] data) {
    publish(tag, data);
    float[] sum = new float[data.length];
    for (int r = 0; r < worldSize(); r++) {
      float[] other = shared.slots[r];
      if (other.length != data.length) {
        fail(tag, "rank " + r + " passed " + other.length + " floats, rank " + rank + " " + data.length);
      }
      for (int i = 0; i < sum.length; i++) {
        sum[i] += other[i];
      }
    }
    await(tag); // nobody overwrites its own array until every rank has read it
    System.arraycopy(sum, 0, data, 0, sum.length);
  }

  @Override
  public float[][] allGather(String tag, float[] local) {
    publish(tag, local);
    float[][] all = new float[worldSize()][];
    for (int r = 0; r < all.length; r++) {
      all[r] = r == rank ? local : shared.slots[r].clone();
    }
    await(tag);
    return all;
  }

  private void publish(String tag, float[] data) {
    shared.tags[rank] = tag;
    shared.slots[rank] = data;
    await(tag);
    for (int r = 0; r < worldSize(); r++) {
      if (!tag.equals(shared.tags[r])) {
        fail(tag, "rank " + r + " is at '" + shared.tags[r] + "' while rank " + rank + " is at '" + tag + "'");
      }
    }
  }

  private void fail(String tag, String why) {
    shared.barrier.reset();
    throw new IllegalStateException("collective '" + tag + "' out of step: " + why);
  }

  private void await(String tag) {
    try {
      shared.barrier.await(shared.timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("rank " + rank + " interrupted in collective '" + tag + "'", e);
    } catch (BrokenBarrierException | TimeoutException e) {
      shared.barrier.reset();
      throw new IllegalStateException("rank " + rank + " in collective '" + tag + "': another rank failed or did not arrive", e);
    }
  }

  private static final class Shared {
    final CyclicBarrier barrier;
    final String[] tags;
    final float[][] slots;
    final long timeoutNanos;

    Shared(int n, long timeoutNanos) {
      this.barrier = new CyclicBarrier(n);
      this.tags = new String[n];
      this.slots = new float[n][];
      this.timeoutNanos = timeoutNanos;
    }
  }
}
