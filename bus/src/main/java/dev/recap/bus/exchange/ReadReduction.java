package dev.recap.bus.exchange;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Reads a {@link Reduction} bucket for one rank: the sum when complete (and the entry is
 * removed after the last rank has read it), otherwise which ranks are still missing. Cheap to
 * repeat while waiting, since an incomplete bucket sends back only the missing ranks.
 */
public final class ReadReduction
    implements EntryProcessor<Object, Reduction, ExchangeRead>, DataSerializable {

  private int rank;

  /** For Hazelcast's deserialization. */
  public ReadReduction() {}

  /** A read on behalf of {@code rank}. */
  public ReadReduction(int rank) {
    this.rank = rank;
  }

  @Override
  public ExchangeRead process(Map.Entry<Object, Reduction> entry) {
    return readFor(entry, rank);
  }

  /**
   * The entry's bucket read for {@code rank}: absent, failed, incomplete with the missing ranks,
   * or the sum (marking the read; the entry is removed once every rank has read it).
   */
  static ExchangeRead readFor(Map.Entry<Object, Reduction> entry, int rank) {
    Reduction bucket = entry.getValue();
    if (bucket == null) {
      return ExchangeRead.absent();
    }
    if (bucket.failure() != null) {
      return ExchangeRead.failed(bucket.failure());
    }
    if (!bucket.complete()) {
      return ExchangeRead.incomplete(bucket.missingRanks());
    }
    float[] sum = bucket.sum();
    entry.setValue(bucket.markRead(rank) ? null : bucket);
    return ExchangeRead.of(sum);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(rank);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    rank = in.readInt();
  }
}
