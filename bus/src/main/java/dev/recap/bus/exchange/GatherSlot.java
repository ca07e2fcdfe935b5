package dev.recap.bus.exchange;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * One rank's array in an all-gather, kept on a partition its own member owns (so publishing it
 * does not cross the network) until every other rank has read it. Use {@link Publish} and
 * {@link Read} on it.
 */
public final class GatherSlot implements DataSerializable {

  private int worldSize;
  private float[] data;
  private long readMask;

  /** For Hazelcast's deserialization. */
  public GatherSlot() {}

  private GatherSlot(int owner, int worldSize, float[] data) {
    this.worldSize = worldSize;
    this.data = data;
    this.readMask = RankMask.with(0L, owner);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(worldSize);
    FloatArrays.write(out, data);
    out.writeLong(readMask);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    worldSize = in.readInt();
    data = FloatArrays.read(in);
    readMask = in.readLong();
  }

  /** Stores the owner's array (not copied); a repeated publish keeps the first. */
  public static final class Publish
      implements EntryProcessor<Object, GatherSlot, Boolean>, DataSerializable {
    private int owner;
    private int worldSize;
    private float[] data;

    /** For Hazelcast's deserialization. */
    public Publish() {}

    /** Rank {@code owner} of {@code worldSize} publishes {@code data}. */
    public Publish(int owner, int worldSize, float[] data) {
      RankMask.check(owner, worldSize);
      this.owner = owner;
      this.worldSize = worldSize;
      this.data = data;
    }

    @Override
    public Boolean process(Map.Entry<Object, GatherSlot> entry) {
      if (entry.getValue() == null) {
        entry.setValue(new GatherSlot(owner, worldSize, data));
        return true;
      }
      return false;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(owner);
      out.writeInt(worldSize);
      FloatArrays.write(out, data);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = in.readInt();
      worldSize = in.readInt();
      data = FloatArrays.read(in);
    }
  }

  /** Reads a copy of the slot for one rank; the last reader removes the slot. */
  public static final class Read
      implements EntryProcessor<Object, GatherSlot, ExchangeRead>, DataSerializable {
    private int rank;

    /** For Hazelcast's deserialization. */
    public Read() {}

    /** A read on behalf of {@code rank}. */
    public Read(int rank) {
      this.rank = rank;
    }

    @Override
    public ExchangeRead process(Map.Entry<Object, GatherSlot> entry) {
      GatherSlot slot = entry.getValue();
      if (slot == null) {
        return ExchangeRead.absent();
      }
      slot.readMask = RankMask.with(slot.readMask, rank);
      entry.setValue(slot.readMask == RankMask.all(slot.worldSize) ? null : slot);
      // A copy: a reader in the owner's JVM must not alias the array other readers receive.
      return ExchangeRead.of(slot.data.clone());
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
