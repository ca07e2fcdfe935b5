package dev.recap.bus.exchange;

/** Sets of ranks as {@code long} bit masks; the entries of one exchange step use them. */
public final class RankMask {

  /** The largest gang a mask can describe. */
  public static final int MAX_WORLD_SIZE = 64;

  private RankMask() {}

  /** Every rank of a world of {@code worldSize}. */
  public static long all(int worldSize) {
    return worldSize == MAX_WORLD_SIZE ? -1L : (1L << worldSize) - 1;
  }

  /** {@code mask} with {@code rank} added. */
  public static long with(long mask, int rank) {
    return mask | (1L << rank);
  }

  /** Whether {@code rank} is in {@code mask}. */
  public static boolean contains(long mask, int rank) {
    return (mask & (1L << rank)) != 0;
  }

  /** The ranks of {@code 0..worldSize-1} that are not in {@code mask}, ascending. */
  public static int[] missing(long mask, int worldSize) {
    int[] out = new int[worldSize - Long.bitCount(mask & all(worldSize))];
    int n = 0;
    for (int r = 0; r < worldSize; r++) {
      if (!contains(mask, r)) {
        out[n++] = r;
      }
    }
    return out;
  }

  /** Fails with a message naming the value when a rank or world size is out of range. */
  public static void check(int rank, int worldSize) {
    if (worldSize < 1 || worldSize > MAX_WORLD_SIZE) {
      throw new IllegalArgumentException(
          "world size " + worldSize + " is outside 1.." + MAX_WORLD_SIZE);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "rank " + rank + " is outside 0.." + (worldSize - 1));
    }
  }
}
