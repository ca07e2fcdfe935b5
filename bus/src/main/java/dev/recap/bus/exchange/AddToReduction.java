package dev.recap.bus.exchange;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Adds one rank's slice of a buffer to a {@link Reduction} bucket in place, on the member that
 * owns the bucket's partition: only the slice travels, the running sum never does.
 *
 * <p>The contribution that completes the bucket gets the finished sum back in its response (and
 * counts as that rank's read), so the last rank to arrive saves a round trip; any other
 * contribution gets {@link ExchangeRead.Status#INCOMPLETE} and reads later with {@link
 * ReadReduction}.
 */
public final class AddToReduction
    implements EntryProcessor<Object, Reduction, ExchangeRead>, DataSerializable {

  private int rank;
  private int worldSize;
  private float[] chunk;

  /** For Hazelcast's deserialization. */
  public AddToReduction() {}

  /** Rank {@code rank} of a {@code worldSize} gang contributes {@code chunk} (not copied). */
  public AddToReduction(int rank, int worldSize, float[] chunk) {
    RankMask.check(rank, worldSize);
    this.rank = rank;
    this.worldSize = worldSize;
    this.chunk = chunk;
  }

  /**
   * The sum if the bucket is complete after this contribution (which then counts as this rank's
   * read), a failure if the bucket failed, otherwise incomplete with the ranks still missing.
   */
  @Override
  public ExchangeRead process(Map.Entry<Object, Reduction> entry) {
    Reduction bucket = entry.getValue();
    if (bucket == null) {
      bucket = new Reduction(worldSize);
    } else if (bucket.worldSize() != worldSize) {
      throw new IllegalStateException(
          "bucket " + entry.getKey() + " was opened for " + bucket.worldSize()
              + " ranks but rank " + rank + " contributes for " + worldSize
              + ": ranks disagree on the gang");
    }
    bucket.add(rank, chunk);
    entry.setValue(bucket);
    return ReadReduction.readFor(entry, rank);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(rank);
    out.writeInt(worldSize);
    FloatArrays.write(out, chunk);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    rank = in.readInt();
    worldSize = in.readInt();
    chunk = FloatArrays.read(in);
  }
}
