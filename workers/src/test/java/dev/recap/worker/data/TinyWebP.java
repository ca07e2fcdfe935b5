package dev.recap.worker.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a one-colour lossless WebP (VP8L) by hand, as the format's specification lays it out:
 * no transform, no colour cache, one group of five prefix codes, each a "simple code" of one
 * symbol (green, red, blue, alpha, and distance 0), so every pixel takes zero bits. ImageIO has
 * no WebP writer, and the tests generate their fixtures.
 */
final class TinyWebP {

  private TinyWebP() {}

  static byte[] solid(int width, int height, int r, int g, int b) {
    Bits bits = new Bits();
    bits.write(0x2f, 8); // VP8L signature
    bits.write(width - 1, 14);
    bits.write(height - 1, 14);
    bits.write(0, 1); // alpha not used
    bits.write(0, 3); // version 0
    bits.write(0, 1); // no transform
    bits.write(0, 1); // no colour cache
    bits.write(0, 1); // no meta prefix codes
    for (int symbol : new int[] {g, r, b, 255}) {
      bits.write(1, 1); // simple code
      bits.write(0, 1); // one symbol
      bits.write(1, 1); // of 8 bits
      bits.write(symbol, 8);
    }
    bits.write(1, 1); // distance: simple code
    bits.write(0, 1); // one symbol
    bits.write(0, 1); // of 1 bit
    bits.write(0, 1); // distance symbol 0
    // zero padding: TwelveMonkeys' bit reader fills 8 bytes at a time; trailing zero bits are never read
    byte[] vp8l = java.util.Arrays.copyOf(bits.bytes(), bits.bytes().length + 8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunk = vp8l.length + (vp8l.length & 1);
    out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
    le32(out, 4 + 8 + chunk);
    out.writeBytes("WEBPVP8L".getBytes(StandardCharsets.US_ASCII));
    le32(out, vp8l.length);
    out.writeBytes(vp8l);
    if ((vp8l.length & 1) == 1) {
      out.write(0);
    }
    return out.toByteArray();
  }

  private static void le32(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }

  /** Bits packed least significant first, as VP8L reads them. */
  private static final class Bits {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int used;

    void write(int value, int n) {
      for (int i = 0; i < n; i++) {
        current |= ((value >>> i) & 1) << used;
        if (++used == 8) {
          out.write(current);
          current = 0;
          used = 0;
        }
      }
    }

    byte[] bytes() {
      if (used > 0) {
        out.write(current);
        current = 0;
        used = 0;
      }
      return out.toByteArray();
    }
  }
}
