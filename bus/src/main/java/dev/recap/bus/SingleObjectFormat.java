package dev.recap.bus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (a fingerprint of the writer schema, then the binary datum) for
 * generated records: the one serialization used by the event-bus codec and by task payloads.
 *
 * <p>A reader whose class has a newer schema decodes an older writer's bytes as long as it can
 * find the writer schema by fingerprint: schemas registered with {@link #addSchema(Schema)}, or
 * the fallback {@link SchemaStore} (the cluster-wide schema directory on a cluster node).
 */
public final class SingleObjectFormat {

  private final SchemaStore.Cache known = new SchemaStore.Cache();
  private final SchemaStore fallback;
  private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new ConcurrentHashMap<>();
  private final Map<Class<?>, BinaryMessageDecoder<SpecificRecord>> decoders = new ConcurrentHashMap<>();
  private final java.util.function.Consumer<Schema> onFirstEncode;

  /** A format that knows only the schemas of the classes it encodes and decodes. */
  public SingleObjectFormat() {
    this(null, s -> {});
  }

  /**
   * @param fallback consulted for writer schemas this process has never seen; may be null
   * @param onFirstEncode told once per record class this process encodes (to publish its schema)
   */
  public SingleObjectFormat(SchemaStore fallback, java.util.function.Consumer<Schema> onFirstEncode) {
    this.fallback = fallback;
    this.onFirstEncode = onFirstEncode;
  }

  /** Makes an (older or newer) writer schema known, so its data can be resolved. */
  public void addSchema(Schema writerSchema) {
    known.addSchema(writerSchema);
  }

  /** The 64-bit Avro fingerprint the single-object header carries. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** Encodes a generated record. */
  public ByteBuffer encode(SpecificRecord record) {
    BinaryMessageEncoder<SpecificRecord> encoder = encoders.computeIfAbsent(record.getClass(), c -> {
      Schema schema = record.getSchema();
      known.addSchema(schema);
      onFirstEncode.accept(schema);
      return new BinaryMessageEncoder<>(SpecificData.getForClass(c), schema);
    });
    try {
      return encoder.encode(record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + record.getSchema().getFullName(), e);
    }
  }

  /** Decodes bytes written by {@link #encode} (possibly by an older version) into {@code type}. */
  public <T extends SpecificRecord> T decode(ByteBuffer bytes, Class<T> type) {
    BinaryMessageDecoder<SpecificRecord> decoder = decoders.computeIfAbsent(type, c -> {
      SpecificData model = SpecificData.getForClass(c);
      Schema schema = model.getSchema(c);
      known.addSchema(schema);
      BinaryMessageDecoder<SpecificRecord> d = new BinaryMessageDecoder<>(model, schema, this::findSchema);
      return d;
    });
    try {
      return type.cast(decoder.decode(bytes.duplicate()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  /** Decodes into the generated class named {@code className}, loaded from this module or the context class loader. */
  public SpecificRecord decode(ByteBuffer bytes, String className) {
    return decode(bytes, recordClass(className));
  }

  /** The generated record class of that name. */
  @SuppressWarnings("unchecked")
  public static Class<? extends SpecificRecord> recordClass(String className) {
    Class<?> c;
    try {
      c = Class.forName(className, true, SingleObjectFormat.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      try {
        c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException e2) {
        throw new IllegalArgumentException(
            "no generated Avro class " + className + " on this node's class path; is its .avsc in bus/src/main/avro?", e2);
      }
    }
    if (!SpecificRecord.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(className + " is not a generated Avro record");
    }
    return (Class<? extends SpecificRecord>) c;
  }

  private Schema findSchema(long fingerprint) {
    Schema s = known.findByFingerprint(fingerprint);
    if (s == null && fallback != null) {
      s = fallback.findByFingerprint(fingerprint);
      if (s != null) {
        known.addSchema(s);
      }
    }
    return s;
  }
}
