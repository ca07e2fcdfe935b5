package dev.recap.worker.exchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A 64-bit checksum of a replica's parameters, and the check that every replica of a gang has
 * the same one. Replicas that applied the same bit-identical sums from the same start must agree
 * exactly; a mismatch means they diverged and the run must stop.
 *
 * <p>The checksum is order sensitive and covers every float's exact bits (FNV-1a over the raw
 * IEEE bits, with a final mix), so any change of any parameter changes it.
 */
public final class ParameterChecksum {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private long state = FNV_OFFSET;

  /** Adds one parameter array, in a fixed order (e.g. by parameter name). */
  public ParameterChecksum add(float[] values) {
    long h = state;
    for (float v : values) {
      h = (h ^ Float.floatToRawIntBits(v)) * FNV_PRIME;
    }
    h = (h ^ values.length) * FNV_PRIME;
    state = h;
    return this;
  }

  /** The checksum of everything added so far. */
  public long value() {
    long z = state;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb53fe3d5a2fdL;
    return z ^ (z >>> 33);
  }

  /** The checksum of one array. */
  public static long of(float[] values) {
    return new ParameterChecksum().add(values).value();
  }

  /**
   * Gathers every rank's checksum and fails on every rank if they differ.
   *
   * @param tag unique per call, the same on every rank (e.g. {@code "checksum/step-1000"})
   * @throws ReplicaDivergenceException naming which ranks hold which checksum
   */
  public static void verifyAcross(Collective collective, String tag, long checksum) {
    float[][] all = collective.allGather(tag, encode(checksum));
    Map<Long, List<Integer>> ranksByChecksum = new LinkedHashMap<>();
    for (int r = 0; r < all.length; r++) {
      ranksByChecksum.computeIfAbsent(decode(all[r]), k -> new ArrayList<>()).add(r);
    }
    if (ranksByChecksum.size() > 1) {
      throw new ReplicaDivergenceException(tag, ranksByChecksum);
    }
  }

  // A long travels as four 16-bit pieces, each exact as a float: raw bit patterns could be NaNs,
  // which a transport may canonicalize.
  static float[] encode(long v) {
    float[] out = new float[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (float) ((v >>> (16 * i)) & 0xffff);
    }
    return out;
  }

  static long decode(float[] pieces) {
    if (pieces.length != 4) {
      throw new IllegalArgumentException("a checksum travels as 4 floats, got " + pieces.length);
    }
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v |= ((long) pieces[i] & 0xffff) << (16 * i);
    }
    return v;
  }
}
