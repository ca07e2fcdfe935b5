package dev.recap.worker.data;

import dev.recap.api.data.RgbImage;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes and decodes the three raster kinds on disk: RGB images (PNG or JPEG written; PNG, JPEG,
 * WebP and any ImageIO format read), 8-bit PNG class maps (255 = ignore) and 16-bit PNG depth maps
 * in millimetres (0 = invalid).
 */
public final class ImageCodec {

  static {
    ImageIO.setUseCache(false); // decode in memory, not through temp files
  }

  /** An 8-bit class map. */
  public record ClassMap(int width, int height, byte[] classes) {}

  /** A depth map in metres (0 = invalid). */
  public record DepthMap(int width, int height, float[] metres) {}

  private ImageCodec() {}

  public static byte[] encodePng(RgbImage image) {
    return write(toBuffered(image), "png", -1);
  }

  /** JPEG at {@code quality} in (0, 1]; lossy. */
  public static byte[] encodeJpeg(RgbImage image, float quality) {
    return write(toBuffered(image), "jpeg", quality);
  }

  /**
   * Decodes PNG, JPEG (baseline, progressive, grayscale, CMYK/YCCK), WebP or any other format an
   * ImageIO reader on the class path accepts, into 8-bit RGB the way PIL's {@code convert("RGB")}
   * does: a gray level is copied to the three channels, a palette is looked up, alpha is dropped.
   *
   * @throws BadSampleException {@link SkipReason#CORRUPT_IMAGE} for bytes no decoder recognises,
   *     that break off (a truncated JPEG, which ImageIO would otherwise fill with gray) or that
   *     fail to decode; {@link SkipReason#IMAGE_TOO_LARGE} above {@link #MAX_PIXELS} pixels
   */
  public static RgbImage decode(byte[] bytes) throws BadSampleException {
    BufferedImage img = read(bytes, SkipReason.CORRUPT_IMAGE);
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    Raster raster = img.getRaster();
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] bgr = ((DataBufferByte) raster.getDataBuffer()).getData();
      for (int i = 0; i < w * h; i++) {
        rgb[i * 3] = bgr[i * 3 + 2];
        rgb[i * 3 + 1] = bgr[i * 3 + 1];
        rgb[i * 3 + 2] = bgr[i * 3];
      }
    } else if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !(img.getColorModel() instanceof IndexColorModel)) {
      // Java's gray colour space is linear: getRGB would brighten every level (100 -> 168)
      int bits = raster.getSampleModel().getSampleSize(0);
      int[] levels = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < w * h; i++) {
        int v = bits == 8 ? levels[i] : (int) Math.round(levels[i] * 255.0 / ((1 << bits) - 1));
        rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = (byte) v;
      }
    } else {
      int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < w * h; i++) {
        rgb[i * 3] = (byte) (argb[i] >> 16);
        rgb[i * 3 + 1] = (byte) (argb[i] >> 8);
        rgb[i * 3 + 2] = (byte) argb[i];
      }
    }
    return new RgbImage(w, h, rgb);
  }

  public static byte[] encodeClassMap(int width, int height, byte[] classes) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    System.arraycopy(classes, 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, width * height);
    return write(img, "png", -1);
  }

  /** Decodes an 8-bit single-channel PNG class map. */
  public static ClassMap decodeClassMap(byte[] bytes) throws BadSampleException {
    BufferedImage img = read(bytes, SkipReason.CORRUPT_IMAGE);
    Raster r = img.getRaster();
    if (r.getNumBands() != 1 || r.getSampleModel().getSampleSize(0) != 8) {
      throw new BadSampleException(SkipReason.CORRUPT_IMAGE,
          "class map must be an 8-bit single-channel PNG, got " + r.getNumBands() + " band(s) of "
              + r.getSampleModel().getSampleSize(0) + " bits");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] samples = r.getSamples(0, 0, w, h, 0, (int[]) null);
    byte[] classes = new byte[w * h];
    for (int i = 0; i < classes.length; i++) {
      classes[i] = (byte) samples[i];
    }
    return new ClassMap(w, h, classes);
  }

  /** Encodes depth in metres as a 16-bit PNG in millimetres; 0 stays invalid, beyond 65.535 m clips. */
  public static byte[] encodeDepth(int width, int height, float[] metres) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
    short[] mm = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < width * height; i++) {
      float m = metres[i];
      mm[i] = (short) (m > 0 && Float.isFinite(m) ? Math.min(65535, Math.round(m * 1000.0)) : 0);
    }
    return write(img, "png", -1);
  }

  /** Decodes a 16-bit single-channel PNG in millimetres into metres. */
  public static DepthMap decodeDepth(byte[] bytes) throws BadSampleException {
    BufferedImage img = read(bytes, SkipReason.CORRUPT_IMAGE);
    Raster r = img.getRaster();
    int bits = r.getSampleModel().getSampleSize(0);
    if (r.getNumBands() != 1 || bits != 16) {
      throw new BadSampleException(SkipReason.BAD_DEPTH_FORMAT,
          "depth must be a 16-bit single-channel PNG in millimetres, got " + r.getNumBands() + " band(s) of "
              + bits + " bits");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] mm = r.getSamples(0, 0, w, h, 0, (int[]) null);
    float[] metres = new float[w * h];
    for (int i = 0; i < metres.length; i++) {
      metres[i] = (float) (mm[i] / 1000.0);
    }
    return new DepthMap(w, h, metres);
  }

  private static BufferedImage toBuffered(RgbImage image) {
    int w = image.width();
    int h = image.height();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.rgb();
    for (int i = 0; i < w * h; i++) {
      bgr[i * 3] = rgb[i * 3 + 2];
      bgr[i * 3 + 1] = rgb[i * 3 + 1];
      bgr[i * 3 + 2] = rgb[i * 3];
    }
    return img;
  }

  /**
   * Images above this many pixels are refused before decoding (PIL's {@code MAX_IMAGE_PIXELS}):
   * one would take 268 MB as RGB, and a few bytes of a crafted PNG can claim any size.
   */
  public static final long MAX_PIXELS = 89_478_485L;

  /**
   * One PNG, JPEG and WebP reader per thread: {@code ImageIO.read} looks up every registered
   * reader and builds a cache stream per call, which costs more than decoding a 64 px image. The
   * JPEG reader is the first ImageIO offers: TwelveMonkeys' when it is on the class path (it
   * reads CMYK and YCCK, which the JDK's refuses), else the JDK's.
   */
  private static final ThreadLocal<ImageReader> PNG_READER =
      ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("png").next());
  private static final ThreadLocal<ImageReader> JPEG_READER =
      ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("jpeg").next());
  private static final ThreadLocal<ImageReader> WEBP_READER = ThreadLocal.withInitial(() -> {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("webp");
    return readers.hasNext() ? readers.next() : null;
  });

  private static ImageReader readerFor(byte[] b) {
    if (b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return PNG_READER.get();
    }
    if (b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
      return JPEG_READER.get();
    }
    if (b.length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
        && b[10] == 'B' && b[11] == 'P') {
      return WEBP_READER.get();
    }
    return null;
  }

  /** A decoder warning that means the image data ended early (the rest would be filled with gray). */
  private static boolean truncation(String warning) {
    String w = warning.toLowerCase(Locale.ROOT);
    return w.contains("premature end") || w.contains("truncated");
  }

  private static BufferedImage read(byte[] bytes, SkipReason reason) throws BadSampleException {
    BufferedImage img;
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(bytes);
      boolean shared = reader != null;
      if (reader == null) {
        Iterator<ImageReader> any = ImageIO.getImageReaders(in); // other formats: let ImageIO find a reader
        if (!any.hasNext()) {
          throw new BadSampleException(reason, "no image decoder recognises these " + bytes.length + " bytes (they start with "
              + leading(bytes) + ")");
        }
        reader = any.next();
      }
      IIOReadWarningListener listener = (source, warning) -> warnings.add(warning);
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener(listener);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_PIXELS) {
          throw new BadSampleException(SkipReason.IMAGE_TOO_LARGE, "image of " + reader.getWidth(0) + "x" + reader.getHeight(0)
              + " pixels is above the limit of " + MAX_PIXELS + "; resize it before training (img2dataset --resize_mode)");
        }
        img = reader.read(0);
      } finally {
        reader.removeIIOReadWarningListener(listener);
        reader.setInput(null);
        if (!shared) {
          reader.dispose();
        }
      }
    } catch (BadSampleException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BadSampleException(reason, "undecodable image (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
    if (img == null) {
      throw new BadSampleException(reason, "no image decoder accepts these " + bytes.length + " bytes");
    }
    for (String w : warnings) {
      if (truncation(w)) {
        throw new BadSampleException(reason, "image data breaks off (" + bytes.length + " bytes, truncated?): " + w);
      }
    }
    return img;
  }

  /** The first bytes, printable ones as text: enough to tell an HTML page or a text file saved as .jpg. */
  private static String leading(byte[] bytes) {
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < Math.min(16, bytes.length); i++) {
      int c = bytes[i] & 0xFF;
      out.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format(Locale.ROOT, "\\x%02x", c));
    }
    return out.append(bytes.length > 16 ? "...'" : "'").toString();
  }

  private static byte[] write(BufferedImage img, String format, float quality) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    ImageWriter writer = writers.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (quality > 0) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
      }
      writer.write(null, new IIOImage(img, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + format + " in memory failed", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
