package dev.recap.worker.data;

import java.nio.ByteBuffer;

/**
 * Where a rank's loader stands in an epoch, for checkpoints.
 *
 * @param epoch the epoch
 * @param shard index of the shard being read in the loader's shard order for the epoch (all
 *     shards for {@link RankSplit#BY_SAMPLE}, the rank's own for {@link RankSplit#BY_SHARD})
 * @param offset records read from that shard
 * @param emitted records handed out after shuffling in the epoch: globally (all ranks) for
 *     {@code BY_SAMPLE}, so it stays valid when the world size changes; by this rank for
 *     {@code BY_SHARD}. Resuming replays the raw record stream through the same shuffle, without
 *     decoding, and skips this many
 */
public record DataPosition(int epoch, int shard, long offset, long emitted) {

  /** The start of an epoch. */
  public static DataPosition start(int epoch) {
    return new DataPosition(epoch, 0, 0, 0);
  }

  /** 28 bytes for a checkpoint manifest. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(28).putInt(epoch).putInt(shard).putLong(offset).putLong(emitted).array();
  }

  public static DataPosition fromBytes(byte[] bytes) {
    if (bytes.length != 28) {
      throw new IllegalArgumentException("a data position is 28 bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new DataPosition(b.getInt(), b.getInt(), b.getLong(), b.getLong());
  }
}
