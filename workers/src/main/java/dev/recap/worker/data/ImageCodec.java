package dev.recap.worker.data;

import dev.recap.api.data.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes and decodes the three raster kinds on disk: RGB images (PNG or JPEG), 8-bit PNG class
 * maps (255 = ignore) and 16-bit PNG depth maps in millimetres (0 = invalid).
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

  /** Decodes PNG, JPEG or any format ImageIO reads. */
  public static RgbImage decode(byte[] bytes) throws BadSampleException {
    BufferedImage img = read(bytes, SkipReason.CORRUPT_IMAGE);
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < w * h; i++) {
        rgb[i * 3] = bgr[i * 3 + 2];
        rgb[i * 3 + 1] = bgr[i * 3 + 1];
        rgb[i * 3 + 2] = bgr[i * 3];
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
   * One PNG and one JPEG reader per thread: {@code ImageIO.read} looks up every registered
   * reader and builds a cache stream per call, which costs more than decoding a 64 px image.
   */
  private static final ThreadLocal<ImageReader> PNG_READER =
      ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("png").next());
  private static final ThreadLocal<ImageReader> JPEG_READER =
      ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("jpeg").next());

  private static ImageReader readerFor(byte[] b) {
    if (b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return PNG_READER.get();
    }
    if (b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
      return JPEG_READER.get();
    }
    return null;
  }

  private static BufferedImage read(byte[] bytes, SkipReason reason) throws BadSampleException {
    BufferedImage img;
    try {
      ImageReader reader = readerFor(bytes);
      if (reader == null) {
        img = ImageIO.read(new ByteArrayInputStream(bytes)); // other formats: let ImageIO find a reader
      } else {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
          reader.setInput(in, true, true);
          img = reader.read(0);
        } finally {
          reader.setInput(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new BadSampleException(reason, "undecodable image (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
    if (img == null) {
      throw new BadSampleException(reason, "no image decoder accepts these " + bytes.length + " bytes");
    }
    return img;
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
