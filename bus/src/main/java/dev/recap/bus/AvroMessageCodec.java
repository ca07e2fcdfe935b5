package dev.recap.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one event-bus codec: any generated Avro record travels as its class name followed by its
 * {@link SingleObjectFormat} bytes. {@link RecapCluster} registers it on every node and selects
 * it for every {@link SpecificRecord} body, so senders just send records.
 *
 * <p>Local delivery hands the same object to the consumer (no copy): do not mutate a record
 * after sending it.
 */
public final class AvroMessageCodec implements MessageCodec<SpecificRecord, SpecificRecord> {

  /** The name the codec is registered under. */
  public static final String NAME = "recap-avro";

  private final SingleObjectFormat format;

  /** A codec over {@code format} (which knows the writer schemas it may meet). */
  public AvroMessageCodec(SingleObjectFormat format) {
    this.format = format;
  }

  /** The format, to register older writer schemas. */
  public SingleObjectFormat format() {
    return format;
  }

  @Override
  public void encodeToWire(Buffer buffer, SpecificRecord record) {
    byte[] name = record.getClass().getName().getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = format.encode(record);
    buffer.appendInt(name.length).appendBytes(name);
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public SpecificRecord decodeFromWire(int pos, Buffer buffer) {
    int nameLength = buffer.getInt(pos);
    pos += 4;
    String className = buffer.getString(pos, pos + nameLength, "UTF-8");
    pos += nameLength;
    int length = buffer.getInt(pos);
    pos += 4;
    return format.decode(ByteBuffer.wrap(buffer.getBytes(pos, pos + length)), className);
  }

  @Override
  public SpecificRecord transform(SpecificRecord record) {
    return record;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
