package dev.recap.worker.data;

import java.nio.charset.StandardCharsets;

/** Seed derivation: independent, reproducible random streams from (seed, epoch, key, ...). */
final class Mixing {

  private Mixing() {}

  /** SplitMix64's finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long mix(long a, long b, long c) {
    return mix(mix(mix(a) + b * 0x9E3779B97F4A7C15L) + c);
  }

  /** A 64-bit hash of a sample key (FNV-1a, then mixed), stable across JVMs. */
  static long key(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** A uniform double in [0, 1) from a mixed value. */
  static double unit(long mixed) {
    return (mixed >>> 11) * 0x1.0p-53;
  }
}
