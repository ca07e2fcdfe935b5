package dev.recap.worker.data;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts skipped samples by reason, and logs each one with its shard, key and reason. Thread
 * safe: decoding threads share one report. The counts are what a task result carries.
 */
public final class SkipReport {

  private static final Logger LOG = LoggerFactory.getLogger(SkipReport.class);

  /** Told about each skipped sample as it is recorded (from the thread that recorded it). */
  @FunctionalInterface
  public interface Listener {
    void skipped(String shard, String key, SkipReason reason, String detail);
  }

  private final AtomicLongArray counts = new AtomicLongArray(SkipReason.values().length);
  private final Listener listener;

  /** A report that only counts and logs. */
  public SkipReport() {
    this((shard, key, reason, detail) -> {});
  }

  /** A report that also tells {@code listener} about every skipped sample (e.g. to list them for the user). */
  public SkipReport(Listener listener) {
    this.listener = listener;
  }

  /** Records one skipped sample. */
  public void skip(String shard, String key, SkipReason reason, String detail) {
    counts.incrementAndGet(reason.ordinal());
    LOG.warn("skipped sample: shard={} key={} reason={} ({})", shard, key, reason, detail);
    listener.skipped(shard, key, reason, detail);
  }

  public long count(SkipReason reason) {
    return counts.get(reason.ordinal());
  }

  public long total() {
    long sum = 0;
    for (int i = 0; i < counts.length(); i++) {
      sum += counts.get(i);
    }
    return sum;
  }

  /** Non-zero counts by reason, e.g. for a task result. */
  public Map<SkipReason, Long> counts() {
    Map<SkipReason, Long> out = new EnumMap<>(SkipReason.class);
    for (SkipReason r : SkipReason.values()) {
      long c = count(r);
      if (c > 0) {
        out.put(r, c);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "SkipReport" + counts();
  }
}
