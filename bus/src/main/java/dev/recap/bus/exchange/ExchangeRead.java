package dev.recap.bus.exchange;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * What a rank learns when it reads an exchange entry: the entry is absent, still waiting for
 * some ranks (named), or complete with its floats or longs.
 */
public final class ExchangeRead implements DataSerializable {

  /** The state of the entry at the time of the read. */
  public enum Status {
    /** No such entry: not created yet, or lost with the member that held it. */
    ABSENT,
    /** Some ranks have not contributed yet; {@link #missingRanks()} names them. */
    INCOMPLETE,
    /** Every rank contributed; the values are final. */
    COMPLETE,
    /** The entry can never complete; {@link #failure()} says why. */
    FAILED
  }

  private Status status;
  private int[] missingRanks;
  private float[] floats;
  private long[] longs;
  private String failure;

  /** For Hazelcast's deserialization. */
  public ExchangeRead() {}

  private ExchangeRead(Status status, int[] missingRanks, float[] floats, long[] longs) {
    this.status = status;
    this.missingRanks = missingRanks;
    this.floats = floats;
    this.longs = longs;
  }

  /** No entry under the key. */
  public static ExchangeRead absent() {
    return new ExchangeRead(Status.ABSENT, new int[0], null, null);
  }

  /** The entry still waits for {@code missingRanks}. */
  public static ExchangeRead incomplete(int[] missingRanks) {
    return new ExchangeRead(Status.INCOMPLETE, missingRanks, null, null);
  }

  /** The entry can never complete, because of {@code failure}. */
  public static ExchangeRead failed(String failure) {
    ExchangeRead read = new ExchangeRead(Status.FAILED, new int[0], null, null);
    read.failure = failure;
    return read;
  }

  /** A complete entry holding floats. */
  public static ExchangeRead of(float[] floats) {
    return new ExchangeRead(Status.COMPLETE, new int[0], floats, null);
  }

  /** A complete entry holding longs. */
  public static ExchangeRead of(long[] longs) {
    return new ExchangeRead(Status.COMPLETE, new int[0], null, longs);
  }

  /** The state at read time. */
  public Status status() {
    return status;
  }

  /** Ranks that had not contributed (empty unless {@link Status#INCOMPLETE}). */
  public int[] missingRanks() {
    return missingRanks;
  }

  /** Why a {@link Status#FAILED} entry can never complete, else null. */
  public String failure() {
    return failure;
  }

  /** The floats of a complete float entry, else null. */
  public float[] floats() {
    return floats;
  }

  /** The longs of a complete long entry, else null. */
  public long[] longs() {
    return longs;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(status.ordinal());
    out.writeIntArray(missingRanks);
    FloatArrays.write(out, floats);
    out.writeLongArray(longs);
    out.writeString(failure);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    status = Status.values()[in.readByte()];
    missingRanks = in.readIntArray();
    floats = FloatArrays.read(in);
    longs = in.readLongArray();
    failure = in.readString();
  }
}
