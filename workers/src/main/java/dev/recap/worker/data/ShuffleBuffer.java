package dev.recap.worker.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A streaming shuffle: holds up to {@code capacity} items and emits a random one for each new
 * item, then the rest in random order at the end. Deterministic given its random stream, which
 * the loader derives from (seed, epoch, rank). Capacity 1 keeps the input order.
 */
public final class ShuffleBuffer<T> {

  private final List<T> items;
  private final int capacity;
  private final SplittableRandom rnd;

  public ShuffleBuffer(int capacity, SplittableRandom rnd) {
    if (capacity < 1) {
      throw new IllegalArgumentException("shuffle buffer capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.items = new ArrayList<>(capacity);
    this.rnd = rnd;
  }

  /** Adds an item; returns the item to emit now, or null while the buffer fills. */
  public T offer(T item) {
    if (items.size() < capacity - 1) {
      items.add(item);
      return null;
    }
    items.add(item);
    return take();
  }

  /** Drains one item at the end of the stream, or null when empty. */
  public T drain() {
    return items.isEmpty() ? null : take();
  }

  private T take() {
    int j = rnd.nextInt(items.size());
    T out = items.get(j);
    items.set(j, items.get(items.size() - 1));
    items.remove(items.size() - 1);
    return out;
  }
}
