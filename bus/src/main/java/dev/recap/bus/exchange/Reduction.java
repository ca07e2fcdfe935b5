package dev.recap.bus.exchange;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * One bucket of an all-reduce, held by the member that owns its partition.
 *
 * <p>Contributions are folded strictly in rank order ({@code ((c0 + c1) + c2) + ...}) whatever
 * order they arrive in: an early contribution waits in {@code pending} until every lower rank
 * has been folded. Float addition is not associative, so this is what makes the sum the same
 * bits on every run and equal to a local sum in rank order.
 */
public final class Reduction implements DataSerializable {

  private int worldSize;
  private int folded;
  private float[] sum;
  private float[][] pending;
  private long readMask;
  private String failure;

  /** For Hazelcast's deserialization. */
  public Reduction() {}

  /** An empty bucket for {@code worldSize} contributors. */
  public Reduction(int worldSize) {
    RankMask.check(0, worldSize);
    this.worldSize = worldSize;
    this.pending = new float[worldSize][];
  }

  /** The world size this bucket was created for. */
  public int worldSize() {
    return worldSize;
  }

  /**
   * Adds {@code rank}'s contribution (taking ownership of the array); a repeated contribution of
   * the same rank is ignored so that a retried operation cannot count twice. A contribution
   * whose length differs from the others' marks the bucket {@link #failure() failed}, so that
   * every rank learns of it instead of waiting.
   */
  public void add(int rank, float[] chunk) {
    RankMask.check(rank, worldSize);
    if (failure != null || rank < folded || pending[rank] != null) {
      return;
    }
    int expected = sum != null ? sum.length : firstPendingLength();
    if (expected >= 0 && expected != chunk.length) {
      failure = "rank " + rank + " contributed " + chunk.length + " floats to a bucket where"
          + " other ranks contributed " + expected + ": every rank must pass arrays of equal"
          + " size";
      return;
    }
    pending[rank] = chunk;
    while (folded < worldSize && pending[folded] != null) {
      float[] next = pending[folded];
      pending[folded] = null;
      if (folded == 0) {
        sum = next;
      } else {
        float[] s = sum;
        for (int i = 0; i < s.length; i++) {
          s[i] += next[i];
        }
      }
      folded++;
    }
  }

  private int firstPendingLength() {
    for (float[] p : pending) {
      if (p != null) {
        return p.length;
      }
    }
    return -1;
  }

  /** Why this bucket can never complete, or null. */
  public String failure() {
    return failure;
  }

  /** Whether every rank has been folded in. */
  public boolean complete() {
    return folded == worldSize;
  }

  /** Ranks whose contribution has not arrived. */
  public int[] missingRanks() {
    long arrived = RankMask.all(folded);
    for (int r = folded; r < worldSize; r++) {
      if (pending[r] != null) {
        arrived = RankMask.with(arrived, r);
      }
    }
    return RankMask.missing(arrived, worldSize);
  }

  /** The sum once {@link #complete()}; never modified afterwards. */
  public float[] sum() {
    return sum;
  }

  /** Records that {@code rank} has read the sum; true when every rank has. */
  public boolean markRead(int rank) {
    readMask = RankMask.with(readMask, rank);
    return readMask == RankMask.all(worldSize);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(worldSize);
    out.writeInt(folded);
    FloatArrays.write(out, sum);
    for (float[] p : pending) {
      FloatArrays.write(out, p);
    }
    out.writeLong(readMask);
    out.writeString(failure);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    worldSize = in.readInt();
    folded = in.readInt();
    sum = FloatArrays.read(in);
    pending = new float[worldSize][];
    for (int r = 0; r < worldSize; r++) {
      pending[r] = FloatArrays.read(in);
    }
    readMask = in.readLong();
    failure = in.readString();
  }
}
