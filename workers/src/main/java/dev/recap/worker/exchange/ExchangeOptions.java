package dev.recap.worker.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link HazelcastCollective}. Build with {@link #builder()}; the defaults suit a
 * model of a few million to a few hundred million parameters on a LAN.
 *
 * @param bucketFloats floats per all-reduce bucket (default 1 Mi floats = 4 MiB)
 * @param operationTimeout how long an operation waits for missing ranks before it fails with
 *     {@link GangBrokenException} when no member has left (a member leaving fails it at once)
 * @param mapName the IMap holding exchange entries (configured OBJECT format, no backups)
 * @param entryTtl a safety net: entries of abandoned steps are evicted after this long
 * @param maxPoll the longest pause between two polls of an incomplete entry
 */
public record ExchangeOptions(
    int bucketFloats, Duration operationTimeout, String mapName, Duration entryTtl,
    Duration maxPoll) {

  /** Validates; fails with a message naming the option. */
  public ExchangeOptions {
    if (bucketFloats < 1) {
      throw new IllegalArgumentException("bucketFloats must be >= 1 but was " + bucketFloats);
    }
    requirePositive("operationTimeout", operationTimeout);
    requirePositive("entryTtl", entryTtl);
    requirePositive("maxPoll", maxPoll);
    if (mapName == null || mapName.isBlank()) {
      throw new IllegalArgumentException("mapName is blank");
    }
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive but was " + d);
    }
  }

  /** The defaults. */
  public static ExchangeOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ExchangeOptions}. */
  public static final class Builder {
    private int bucketFloats = 1 << 20;
    private Duration operationTimeout = Duration.ofSeconds(120);
    private String mapName = "recap.exchange";
    private Duration entryTtl = Duration.ofMinutes(30);
    private Duration maxPoll = Duration.ofMillis(2);

    private Builder() {}

    /** Floats per all-reduce bucket. */
    public Builder bucketFloats(int value) {
      this.bucketFloats = value;
      return this;
    }

    /** How long to wait for missing ranks when no member has left. */
    public Builder operationTimeout(Duration value) {
      this.operationTimeout = value;
      return this;
    }

    /** The IMap for exchange entries. */
    public Builder mapName(String value) {
      this.mapName = value;
      return this;
    }

    /** Eviction of abandoned entries. */
    public Builder entryTtl(Duration value) {
      this.entryTtl = value;
      return this;
    }

    /** The longest pause between polls. */
    public Builder maxPoll(Duration value) {
      this.maxPoll = value;
      return this;
    }

    /** The options; fails naming the first bad one. */
    public ExchangeOptions build() {
      return new ExchangeOptions(bucketFloats, operationTimeout, mapName, entryTtl, maxPoll);
    }
  }
}
