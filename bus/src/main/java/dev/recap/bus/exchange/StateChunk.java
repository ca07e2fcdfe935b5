package dev.recap.bus.exchange;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/** One chunk of a committed state, serialized in bulk (see {@link FloatArrays}). */
public final class StateChunk implements DataSerializable {

  private float[] values;

  /** For Hazelcast's deserialization. */
  public StateChunk() {}

  /** A chunk holding {@code values} (not copied). */
  public StateChunk(float[] values) {
    this.values = values;
  }

  /** The floats of this chunk. */
  public float[] values() {
    return values;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    FloatArrays.write(out, values);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    values = FloatArrays.read(in);
  }
}
