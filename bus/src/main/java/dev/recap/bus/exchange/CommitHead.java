package dev.recap.bus.exchange;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * The last step a run committed: which gang committed it, how its state is chunked and the
 * state's checksum. The state chunks live beside it in the same map. Advance it with {@link
 * Advance}, which never moves it backwards, so a late writer from an abandoned gang cannot undo
 * a newer commit.
 */
public final class CommitHead implements DataSerializable {

  private long step;
  private String gangId;
  private int length;
  private int chunkFloats;
  private long checksum;

  /** For Hazelcast's deserialization. */
  public CommitHead() {}

  /** The head for {@code step}, committed by {@code gangId}. */
  public CommitHead(long step, String gangId, int length, int chunkFloats, long checksum) {
    this.step = step;
    this.gangId = gangId;
    this.length = length;
    this.chunkFloats = chunkFloats;
    this.checksum = checksum;
  }

  /** The committed step. */
  public long step() {
    return step;
  }

  /** The gang formation that committed it. */
  public String gangId() {
    return gangId;
  }

  /** Floats in the committed state. */
  public int length() {
    return length;
  }

  /** Floats per stored chunk. */
  public int chunkFloats() {
    return chunkFloats;
  }

  /** How many chunks hold the state. */
  public int chunks() {
    return (length + chunkFloats - 1) / chunkFloats;
  }

  /** The parameter checksum every rank agreed on. */
  public long checksum() {
    return checksum;
  }

  @Override
  public String toString() {
    return "step " + step + " of gang " + gangId + " (" + length + " floats, checksum "
        + Long.toHexString(checksum) + ")";
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(step);
    out.writeString(gangId);
    out.writeInt(length);
    out.writeInt(chunkFloats);
    out.writeLong(checksum);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    step = in.readLong();
    gangId = in.readString();
    length = in.readInt();
    chunkFloats = in.readInt();
    checksum = in.readLong();
  }

  /**
   * Moves the head forward to a later step and returns the head it replaced (or null); a head
   * already at or past the step is left alone and returned, so the caller sees the refusal.
   */
  public static final class Advance
      implements EntryProcessor<Object, CommitHead, CommitHead>, DataSerializable {
    private CommitHead next;

    /** For Hazelcast's deserialization. */
    public Advance() {}

    /** Advances to {@code next}. */
    public Advance(CommitHead next) {
      this.next = next;
    }

    @Override
    public CommitHead process(Map.Entry<Object, CommitHead> entry) {
      CommitHead current = entry.getValue();
      if (current == null || current.step < next.step) {
        entry.setValue(next);
      }
      return current;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      next.writeData(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      next = new CommitHead();
      next.readData(in);
    }
  }
}
