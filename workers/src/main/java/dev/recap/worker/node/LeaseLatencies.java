package dev.recap.worker.node;

import java.util.Arrays;

/** Request-to-lease round trips in nanoseconds, kept for benchmarks (bounded; oldest dropped). */
public final class LeaseLatencies {

  private static final int CAPACITY = 1 << 20;
  private final long[] samples = new long[CAPACITY];
  private long count;

  synchronized void record(long nanos) {
    samples[(int) (count++ % CAPACITY)] = nanos;
  }

  /** A sorted copy of the samples. */
  public synchronized long[] sortedNanos() {
    long[] copy = Arrays.copyOf(samples, (int) Math.min(count, CAPACITY));
    Arrays.sort(copy);
    return copy;
  }

  /** The samples in the order measured (the most recent {@code 2^20} if more were taken). */
  public synchronized long[] inOrderNanos() {
    if (count <= CAPACITY) {
      return Arrays.copyOf(samples, (int) count);
    }
    long[] out = new long[CAPACITY];
    int start = (int) (count % CAPACITY);
    System.arraycopy(samples, start, out, 0, CAPACITY - start);
    System.arraycopy(samples, 0, out, CAPACITY - start, start);
    return out;
  }

  /** Forgets every sample (after a warm-up). */
  public synchronized void reset() {
    count = 0;
  }
}
