package dev.recap.bus.exchange;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Writes float arrays as one block of little-endian bytes, in the layout of Hazelcast's {@code
 * writeByteArray} (a byte count, -1 for null, then the bytes). Hazelcast's own {@code
 * writeFloatArray} goes element by element; a bulk copy is several times cheaper, and the
 * exchange moves a model's worth of floats per step.
 *
 * <p>Writing goes through a per-thread scratch array kept between calls, in one write: a
 * gradient bucket is megabytes, a fresh temporary of that size per operation is a humongous
 * allocation for G1, and writing in small blocks instead makes Hazelcast's output buffer grow
 * by doubling (a copy per doubling). Each serializing thread thus keeps one array of the largest
 * bucket it wrote. Reading stages 64 KiB blocks straight into the result.
 */
public final class FloatArrays {

  /** Floats staged per block when reading: 64 KiB of bytes. */
  private static final int BLOCK_FLOATS = 16 * 1024;

  private FloatArrays() {}

  /** Writes {@code values} (may be null). */
  public static void write(ObjectDataOutput out, float[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    int bytes = Math.multiplyExact(values.length, Float.BYTES);
    out.writeInt(bytes);
    if (values.length == 0) {
      return;
    }
    byte[] staged = SCRATCH.get();
    if (staged.length < bytes) {
      staged = new byte[bytes];
      SCRATCH.set(staged);
    }
    ByteBuffer.wrap(staged).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
    out.write(staged, 0, bytes);
  }

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  /** Reads what {@link #write} wrote. */
  public static float[] read(ObjectDataInput in) throws IOException {
    int bytes = in.readInt();
    if (bytes < 0) {
      return null;
    }
    if (bytes % Float.BYTES != 0) {
      throw new IOException("a float array of " + bytes + " bytes: not a multiple of "
          + Float.BYTES + ", the stream is corrupt or not written by FloatArrays");
    }
    float[] values = new float[bytes / Float.BYTES];
    if (values.length == 0) {
      return values;
    }
    byte[] block = new byte[Math.min(values.length, BLOCK_FLOATS) * Float.BYTES];
    FloatBuffer staged = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int from = 0; from < values.length; from += BLOCK_FLOATS) {
      int count = Math.min(BLOCK_FLOATS, values.length - from);
      in.readFully(block, 0, count * Float.BYTES);
      staged.clear();
      staged.get(values, from, count);
    }
    return values;
  }
}
