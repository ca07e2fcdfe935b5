package dev.recap.api.torchscript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a minimal TorchScript module archive (what {@code torch.jit.save} produces) from Java, so
 * Recap can write TorchScript modules without Python (a captioner in the TorchScript captioner's
 * contract, the trainer's bfloat16 matrix-product kernels): DJL's
 * PyTorch JNI can load and run TorchScript but has no call that creates a module.
 *
 * <p>The archive holds one class {@code __torch__.<className>} whose TorchScript source is given,
 * with float32 parameters as attributes: {@code code/__torch__.py}, {@code data.pkl} (the module
 * object, pickle protocol 2, tensors as persistent-id storages), {@code data/<i>} (raw
 * little-endian storages), {@code constants.pkl}, {@code version} and {@code byteorder}; all
 * entries stored uncompressed.
 */
public final class TorchScriptArchive {

  /** A float32 parameter: row-major data and its shape. */
  public record Tensor(float[] data, long... shape) {
    public Tensor {
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      if (n != data.length) {
        throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
      }
    }
  }

  private final String className;
  private final String methods;
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();

  /**
   * @param className the module's class name, e.g. {@code CaptionModel}
   * @param methods TorchScript method definitions, indented by 2 spaces as class members, using
   *     {@code self.<parameter>}; e.g. {@code "  def forward(self: __torch__.M, x: Tensor) -> Tensor:\n    return x\n"}
   */
  public TorchScriptArchive(String className, String methods) {
    if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("TorchScript class name must be an identifier, got '" + className + "'");
    }
    this.className = className;
    this.methods = methods;
  }

  /** Adds a parameter attribute. */
  public TorchScriptArchive parameter(String name, Tensor value) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || name.equals("training")) {
      throw new IllegalArgumentException("parameter name must be an identifier other than 'training', got '" + name + "'");
    }
    parameters.put(name, value);
    return this;
  }

  /** Writes the archive to {@code file} (temporary file, then rename). */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    String root = "model/";
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(temp))) {
      entry(zip, root + "data.pkl", modulePickle());
      entry(zip, root + "code/__torch__.py", source().getBytes(StandardCharsets.UTF_8));
      entry(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      int i = 0;
      for (Tensor t : parameters.values()) {
        ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.data()) {
          b.putFloat(v);
        }
        entry(zip, root + "data/" + i++, b.array());
      }
      entry(zip, root + "version", "3".getBytes(StandardCharsets.US_ASCII));
      entry(zip, root + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private String source() {
    StringBuilder s = new StringBuilder("class ").append(className).append("(Module):\n  __parameters__ = [");
    parameters.keySet().forEach(k -> s.append('"').append(k).append("\", "));
    s.append("]\n  __buffers__ = []\n");
    parameters.keySet().forEach(k -> s.append("  ").append(k).append(" : Tensor\n"));
    s.append("  training : bool\n").append(methods);
    return s.toString();
  }

  private byte[] modulePickle() {
    Pickle p = new Pickle();
    p.out.write(0x80);
    p.out.write(2);
    p.global("__torch__", className);
    p.out.write(')'); // EMPTY_TUPLE
    p.out.write(0x81); // NEWOBJ
    p.out.write('}'); // EMPTY_DICT
    p.out.write('('); // MARK
    p.string("training");
    p.out.write(0x89); // NEWFALSE: saved in eval mode
    int storage = 0;
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
      p.string(e.getKey());
      p.tensor(String.valueOf(storage++), e.getValue());
    }
    p.out.write('u'); // SETITEMS
    p.out.write('b'); // BUILD
    p.out.write('.'); // STOP
    return p.out.toByteArray();
  }

  /** The few pickle opcodes TorchScript's unpickler needs for a module of float tensors. */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void global(String module, String name) {
      out.write('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write('X');
      int32(b.length);
      out.writeBytes(b);
    }

    void integer(long v) {
      out.write('J');
      int32(Math.toIntExact(v));
    }

    void int32(int v) {
      out.write(v & 0xff);
      out.write((v >> 8) & 0xff);
      out.write((v >> 16) & 0xff);
      out.write((v >>> 24) & 0xff);
    }

    void tensor(String storageKey, Tensor t) {
      global("torch._utils", "_rebuild_tensor_v2");
      out.write('(');
      out.write('(');
      string("storage");
      global("torch", "FloatStorage");
      string(storageKey);
      string("cpu");
      integer(t.data().length);
      out.write('t');
      out.write('Q'); // BINPERSID
      integer(0); // storage offset
      out.write('(');
      for (long d : t.shape()) {
        integer(d);
      }
      out.write('t');
      out.write('(');
      long stride = 1;
      long[] strides = new long[t.shape().length];
      for (int i = strides.length - 1; i >= 0; i--) {
        strides[i] = stride;
        stride *= t.shape()[i];
      }
      for (long s : strides) {
        integer(s);
      }
      out.write('t');
      out.write(0x89); // requires_grad = False
      global("collections", "OrderedDict");
      out.write(')');
      out.write('R');
      out.write('t');
      out.write('R');
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    ((OutputStream) zip).write(data);
    zip.closeEntry();
  }
}
