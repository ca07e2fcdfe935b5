package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The image modes web datasets hold decode to the RGB PIL's {@code convert("RGB")} gives: gray
 * levels copied to three channels, palettes looked up, alpha dropped, CMYK converted; and the
 * broken ones are refused with a reason instead of decoded into gray.
 */
class ImageModesTest {

  private static byte[] encode(BufferedImage img, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), "no " + format + " writer for type " + img.getType());
    return out.toByteArray();
  }

  private static int[] rgbAt(RgbImage img, int x, int y) {
    int p = (y * img.width() + x) * 3;
    return new int[] {img.rgb()[p] & 0xFF, img.rgb()[p + 1] & 0xFF, img.rgb()[p + 2] & 0xFF};
  }

  private static void assertColour(int[] expected, int[] actual, int tolerance, String what) {
    for (int c = 0; c < 3; c++) {
      assertTrue(Math.abs(expected[c] - actual[c]) <= tolerance, what + ": expected " + Arrays.toString(expected) + " got "
          + Arrays.toString(actual));
    }
  }

  @Test
  void grayLevelsAreCopiedToEveryChannelNotGammaShifted() throws Exception {
    BufferedImage gray = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 8; y++) {
        gray.getRaster().setSample(x, y, 0, x * 16);
      }
    }
    RgbImage png = ImageCodec.decode(encode(gray, "png"));
    assertEquals(16, png.width());
    assertEquals(8, png.height());
    for (int x = 0; x < 16; x++) {
      assertColour(new int[] {x * 16, x * 16, x * 16}, rgbAt(png, x, 3), 0, "png gray at x=" + x);
    }
    RgbImage jpeg = ImageCodec.decode(encode(gray, "jpeg"));
    assertColour(new int[] {96, 96, 96}, rgbAt(jpeg, 6, 4), 12, "jpeg gray");
  }

  @Test
  void sixteenBitGrayIsScaledToEightBits() throws Exception {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
    gray.getRaster().setSample(1, 1, 0, 65535);
    gray.getRaster().setSample(2, 2, 0, 32896); // 128 * 257
    RgbImage img = ImageCodec.decode(encode(gray, "png"));
    assertColour(new int[] {255, 255, 255}, rgbAt(img, 1, 1), 0, "white");
    assertColour(new int[] {128, 128, 128}, rgbAt(img, 2, 2), 0, "mid gray");
    assertColour(new int[] {0, 0, 0}, rgbAt(img, 0, 0), 0, "black");
  }

  @Test
  void rgbaDropsAlphaAndKeepsTheColour() throws Exception {
    BufferedImage rgba = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(2, 3, 0x80_20_40_C0); // half transparent
    rgba.setRGB(5, 5, 0x00_FF_00_00); // fully transparent red
    RgbImage img = ImageCodec.decode(encode(rgba, "png"));
    assertColour(new int[] {0x20, 0x40, 0xC0}, rgbAt(img, 2, 3), 0, "translucent pixel");
    assertColour(new int[] {0xFF, 0, 0}, rgbAt(img, 5, 5), 0, "transparent pixel keeps its colour, as PIL's convert does");
  }

  @Test
  void paletteIsLookedUp() throws Exception {
    byte[] r = {0, (byte) 200, 10};
    byte[] g = {0, 30, (byte) 250};
    byte[] b = {0, 60, 20};
    BufferedImage indexed = new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
    indexed.getRaster().setSample(1, 1, 0, 1);
    indexed.getRaster().setSample(4, 2, 0, 2);
    byte[] png = encode(indexed, "png");
    assertEquals(IndexColorModel.class, ImageIO.read(new java.io.ByteArrayInputStream(png)).getColorModel().getClass(),
        "the fixture must really be a palette PNG");
    RgbImage img = ImageCodec.decode(png);
    assertColour(new int[] {200, 30, 60}, rgbAt(img, 1, 1), 0, "entry 1");
    assertColour(new int[] {10, 250, 20}, rgbAt(img, 4, 2), 0, "entry 2");
    assertColour(new int[] {0, 0, 0}, rgbAt(img, 0, 0), 0, "entry 0");
  }

  @Test
  void progressiveJpegDecodes() throws Exception {
    BufferedImage rgb = new BufferedImage(40, 24, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 40; x++) {
        rgb.setRGB(x, y, x < 20 ? 0xD02020 : 0x2040D0);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(rgb, null, null), param);
    } finally {
      writer.dispose();
    }
    byte[] bytes = out.toByteArray();
    assertTrue(containsMarker(bytes, 0xC2), "the fixture must be progressive (SOF2)");
    RgbImage img = ImageCodec.decode(bytes);
    assertEquals(40, img.width());
    assertColour(new int[] {0xD0, 0x20, 0x20}, rgbAt(img, 5, 12), 24, "left half");
    assertColour(new int[] {0x20, 0x40, 0xD0}, rgbAt(img, 34, 12), 24, "right half");
  }

  @Test
  void cmykJpegDecodesToRgb() throws Exception {
    // four channels written as they are, stored inverted as Adobe does
    WritableRaster cmyk = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        // left: no ink (white); right: full magenta and yellow (red); stored inverted (255 = no ink), as Adobe does
        int[] ink = x < 8 ? new int[] {0, 0, 0, 0} : new int[] {0, 255, 255, 0};
        for (int c = 0; c < 4; c++) {
          cmyk.setSample(x, y, c, 255 - ink[c]);
        }
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(cmyk, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    byte[] plain = out.toByteArray();
    // a four-channel JPEG says what its channels are in an Adobe APP14 marker (transform 0: CMYK), as Photoshop writes it
    byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    byte[] bytes = new byte[plain.length + adobe.length];
    System.arraycopy(plain, 0, bytes, 0, 2); // SOI
    System.arraycopy(adobe, 0, bytes, 2, adobe.length);
    System.arraycopy(plain, 2, bytes, 2 + adobe.length, plain.length - 2);
    RgbImage img = ImageCodec.decode(bytes);
    assertEquals(16, img.width());
    int[] left = rgbAt(img, 2, 8);
    int[] right = rgbAt(img, 13, 8);
    assertTrue(left[0] > 200 && left[1] > 200 && left[2] > 200, "no ink is white, got " + Arrays.toString(left));
    assertTrue(right[0] > 150 && right[1] < 100 && right[2] < 100, "magenta + yellow is red, got " + Arrays.toString(right));
  }

  @Test
  void webpDecodes() throws Exception {
    RgbImage img = ImageCodec.decode(TinyWebP.solid(7, 5, 30, 140, 220));
    assertEquals(7, img.width());
    assertEquals(5, img.height());
    assertColour(new int[] {30, 140, 220}, rgbAt(img, 6, 4), 0, "webp colour");
  }

  @Test
  void truncatedJpegIsRefusedNotFilledWithGray() throws Exception {
    BufferedImage rgb = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
    java.util.Random random = new java.util.Random(3);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        rgb.setRGB(x, y, random.nextInt(0xFFFFFF));
      }
    }
    byte[] whole = encode(rgb, "jpeg");
    ImageCodec.decode(whole); // the whole file is fine
    BadSampleException e = assertThrows(BadSampleException.class,
        () -> ImageCodec.decode(Arrays.copyOf(whole, whole.length * 2 / 3)));
    assertEquals(SkipReason.CORRUPT_IMAGE, e.reason());
    assertTrue(e.getMessage().contains("breaks off"), e.getMessage());
  }

  @Test
  void textSavedAsJpgIsRefusedNamingWhatItStartsWith() {
    BadSampleException e = assertThrows(BadSampleException.class,
        () -> ImageCodec.decode("<html><body>404 Not Found</body></html>".getBytes(StandardCharsets.UTF_8)));
    assertEquals(SkipReason.CORRUPT_IMAGE, e.reason());
    assertTrue(e.getMessage().contains("'<html><body>404 ..."), e.getMessage());
  }

  @Test
  void hugeImageIsRefusedBeforeDecoding() throws Exception {
    // a valid PNG header claiming 20000 x 20000 pixels, no pixel data: refused on its header alone
    byte[] png = encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "png");
    byte[] claim = Arrays.copyOf(png, png.length);
    java.nio.ByteBuffer.wrap(claim, 16, 8).putInt(20000).putInt(20000); // IHDR width, height (its CRC now wrong)
    BadSampleException e = assertThrows(BadSampleException.class, () -> ImageCodec.decode(claim));
    assertTrue(e.reason() == SkipReason.IMAGE_TOO_LARGE || e.reason() == SkipReason.CORRUPT_IMAGE, e.getMessage());
  }

  private static boolean containsMarker(byte[] jpeg, int marker) {
    for (int i = 0; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
        return true;
      }
    }
    return false;
  }
}
