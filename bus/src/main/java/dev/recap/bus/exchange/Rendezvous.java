package dev.recap.bus.exchange;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * A barrier where every rank of a gang leaves one {@code long} (a vote, a checksum, a step
 * number) and every rank reads all of them once all have arrived. The entry removes itself
 * after the last read. Use {@link Arrive} and {@link Read} on it.
 */
public final class Rendezvous implements DataSerializable {

  private int worldSize;
  private long[] values;
  private long arrivedMask;
  private long readMask;

  /** For Hazelcast's deserialization. */
  public Rendezvous() {}

  /** An empty rendezvous of {@code worldSize} ranks. */
  public Rendezvous(int worldSize) {
    RankMask.check(0, worldSize);
    this.worldSize = worldSize;
    this.values = new long[worldSize];
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(worldSize);
    out.writeLongArray(values);
    out.writeLong(arrivedMask);
    out.writeLong(readMask);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    worldSize = in.readInt();
    values = in.readLongArray();
    arrivedMask = in.readLong();
    readMask = in.readLong();
  }

  /** Leaves {@code rank}'s value; a repeated arrival of the same rank is ignored. */
  public static final class Arrive
      implements EntryProcessor<Object, Rendezvous, Boolean>, DataSerializable {
    private int rank;
    private int worldSize;
    private long value;

    /** For Hazelcast's deserialization. */
    public Arrive() {}

    /** Rank {@code rank} of {@code worldSize} arrives with {@code value}. */
    public Arrive(int rank, int worldSize, long value) {
      RankMask.check(rank, worldSize);
      this.rank = rank;
      this.worldSize = worldSize;
      this.value = value;
    }

    /** Returns whether every rank has arrived. */
    @Override
    public Boolean process(Map.Entry<Object, Rendezvous> entry) {
      Rendezvous r = entry.getValue();
      if (r == null) {
        r = new Rendezvous(worldSize);
      } else if (r.worldSize != worldSize) {
        throw new IllegalStateException(
            "rendezvous " + entry.getKey() + " was opened for " + r.worldSize + " ranks but rank "
                + rank + " arrives for " + worldSize + ": ranks disagree on the gang");
      }
      if (!RankMask.contains(r.arrivedMask, rank)) {
        r.values[rank] = value;
        r.arrivedMask = RankMask.with(r.arrivedMask, rank);
      }
      entry.setValue(r);
      return r.arrivedMask == RankMask.all(worldSize);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(rank);
      out.writeInt(worldSize);
      out.writeLong(value);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      rank = in.readInt();
      worldSize = in.readInt();
      value = in.readLong();
    }
  }

  /** Reads every rank's value for one rank, or which ranks are still missing. */
  public static final class Read
      implements EntryProcessor<Object, Rendezvous, ExchangeRead>, DataSerializable {
    private int rank;

    /** For Hazelcast's deserialization. */
    public Read() {}

    /** A read on behalf of {@code rank}. */
    public Read(int rank) {
      this.rank = rank;
    }

    @Override
    public ExchangeRead process(Map.Entry<Object, Rendezvous> entry) {
      Rendezvous r = entry.getValue();
      if (r == null) {
        return ExchangeRead.absent();
      }
      long all = RankMask.all(r.worldSize);
      if (r.arrivedMask != all) {
        return ExchangeRead.incomplete(RankMask.missing(r.arrivedMask, r.worldSize));
      }
      r.readMask = RankMask.with(r.readMask, rank);
      entry.setValue(r.readMask == all ? null : r);
      return ExchangeRead.of(r.values.clone());
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
}
