package dev.recap.worker.train;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, an
 * N-byte JSON header mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets [begin, end)} relative to the data section (plus optional
 * {@code __metadata__} of strings), padded with spaces to a multiple of 8, then the raw
 * little-endian data, tensors contiguous in header order. F32 is written; F32, F16, BF16 and F64
 * (and the integer buffers I64 / I32 a PyTorch state dict may hold, e.g. BatchNorm's
 * {@code num_batches_tracked}) are read, each converted to float32.
 */
public final class Safetensors {

  /** One named float32 tensor, row-major. */
  public record Tensor(String name, long[] shape, float[] data) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + n
            + " values, got " + data.length);
      }
    }
  }

  private Safetensors() {}

  /** Writes {@code tensors} (atomically: temporary file, then rename). */
  public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long offset = 0;
    for (Tensor t : tensors) {
      if (header.has(t.name())) {
        throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
      }
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += 4L * t.data().length;
      offsets.add(offset);
      entry.add("data_offsets", offsets);
      header.add(t.name(), entry);
    }
    byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = Arrays.copyOf(json, padded);
    Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      for (Tensor t : tensors) {
        ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        out.write(buf.array());
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads every tensor, in file order. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, file);
      long n = len.flip().getLong();
      if (n <= 0 || n > 100_000_000 || 8 + n > ch.size()) {
        throw new IOException(file + ": bad safetensors header length " + n);
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
      readFully(ch, headerBuf, file);
      JsonObject header;
      try {
        header = new Gson().fromJson(new String(headerBuf.array(), StandardCharsets.UTF_8).trim(), JsonObject.class);
      } catch (JsonParseException e) {
        throw new IOException(file + ": safetensors header is not JSON: " + e.getMessage(), e);
      }
      long dataStart = 8 + n;
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonObject entry = e.getValue().getAsJsonObject();
        String dtype = entry.get("dtype").getAsString();
        int width = bytesPerValue(dtype);
        if (width == 0) {
          throw new IOException(file + ": tensor '" + e.getKey() + "' has dtype " + dtype
              + "; readable dtypes are F32, F16, BF16, F64, I64 and I32");
        }
        JsonArray shapeJson = entry.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeJson.get(i).getAsLong();
          count *= shape[i];
        }
        long begin = entry.getAsJsonArray("data_offsets").get(0).getAsLong();
        long end = entry.getAsJsonArray("data_offsets").get(1).getAsLong();
        if (begin < 0 || end < begin || dataStart + end > ch.size() || end - begin != count * width) {
          throw new IOException(file + ": tensor '" + e.getKey() + "' has bad data_offsets [" + begin + ", " + end + "] for "
              + count + " values of " + dtype);
        }
        if (end - begin > Integer.MAX_VALUE) {
          throw new IOException(file + ": tensor '" + e.getKey() + "' is over 2 GB, too large to read");
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(dataStart + begin);
        readFully(ch, data, file);
        data.flip();
        float[] values = toFloats(dtype, data, (int) count);
        out.put(e.getKey(), new Tensor(e.getKey(), shape, values));
      }
      return out;
    }
  }

  /** Bytes per value of a readable dtype; 0 for others. */
  private static int bytesPerValue(String dtype) {
    return switch (dtype) {
      case "F32", "I32" -> 4;
      case "F16", "BF16" -> 2;
      case "F64", "I64" -> 8;
      default -> 0;
    };
  }

  private static float[] toFloats(String dtype, ByteBuffer data, int count) {
    float[] out = new float[count];
    switch (dtype) {
      case "F32" -> data.asFloatBuffer().get(out);
      case "F64" -> {
        for (int i = 0; i < count; i++) {
          out[i] = (float) data.getDouble();
        }
      }
      case "I64" -> {
        for (int i = 0; i < count; i++) {
          out[i] = data.getLong();
        }
      }
      case "I32" -> {
        for (int i = 0; i < count; i++) {
          out[i] = data.getInt();
        }
      }
      case "BF16" -> {
        for (int i = 0; i < count; i++) {
          out[i] = Float.intBitsToFloat((data.getShort() & 0xFFFF) << 16);
        }
      }
      case "F16" -> {
        for (int i = 0; i < count; i++) {
          out[i] = halfToFloat(data.getShort());
        }
      }
      default -> throw new IllegalArgumentException("unreadable dtype " + dtype);
    }
    return out;
  }

  /** IEEE 754 binary16 to float32, subnormals, infinities and NaN included. */
  static float halfToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): mantissa x 2^-24
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new IOException(file + ": truncated safetensors file");
      }
    }
  }
}
