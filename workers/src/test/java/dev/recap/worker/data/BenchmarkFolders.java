package dev.recap.worker.data;

import dev.recap.api.data.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

/**
 * Writes small dense benchmarks in their published layouts, for tests: an
 * {@code ADEChallengeData2016} folder (JPEG images, 8-bit PNG labels 0..150) and an
 * {@code nyu_depth_v2} folder as BTS prepares it (JPEG {@code rgb_NNNNN.jpg}, 16-bit
 * {@code sync_depth_NNNNN.png} in millimetres). Pixel values come from functions of (x, y) so a
 * test can work its expectations out by hand.
 */
public final class BenchmarkFolders {

  private BenchmarkFolders() {}

  /** A {@code w x h} image whose red channel is {@code red(x, y)}, green 80, blue 160. */
  public static RgbImage image(int w, int h, IntBinaryOperator red) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        rgb[i] = (byte) red.applyAsInt(x, y);
        rgb[i + 1] = (byte) 80;
        rgb[i + 2] = (byte) 160;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** A {@code w x h} map of {@code value(x, y)}, row-major. */
  public static int[] map(int w, int h, IntBinaryOperator value) {
    int[] out = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out[y * w + x] = value.applyAsInt(x, y);
      }
    }
    return out;
  }

  /** An 8-bit PNG of labels (ADE20k: 0 = other, 1..150). */
  public static byte[] labelPng(int w, int h, int[] labels) {
    byte[] bytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      bytes[i] = (byte) labels[i];
    }
    return ImageCodec.encodeClassMap(w, h, bytes);
  }

  /** A 16-bit PNG of depths in millimetres (0 = no measurement). */
  public static byte[] depthPng(int w, int h, int[] millimetres) {
    float[] metres = new float[millimetres.length];
    for (int i = 0; i < metres.length; i++) {
      metres[i] = millimetres[i] / 1000f;
    }
    return ImageCodec.encodeDepth(w, h, metres);
  }

  /** The ADEChallengeData2016 folder under {@code parent}, with its four split folders. */
  public static Path ade20k(Path parent) throws IOException {
    Path root = parent.resolve("ADEChallengeData2016");
    for (String f : new String[] {"images/training", "images/validation", "annotations/training", "annotations/validation"}) {
      Files.createDirectories(root.resolve(f));
    }
    return root;
  }

  /** Writes {@code images/<folder>/<key>.jpg} and {@code annotations/<folder>/<key>.png}. */
  public static void adePair(Path root, String folder, String key, RgbImage image, byte[] labelPng) throws IOException {
    Files.write(root.resolve("images").resolve(folder).resolve(key + ".jpg"), ImageCodec.encodeJpeg(image, 0.95f));
    Files.write(root.resolve("annotations").resolve(folder).resolve(key + ".png"), labelPng);
  }

  /** The nyu_depth_v2 folder under {@code parent}, with {@code sync/} and {@code official_splits/test/}. */
  public static Path nyuv2(Path parent) throws IOException {
    Path root = parent.resolve("nyu_depth_v2");
    Files.createDirectories(root.resolve("sync"));
    Files.createDirectories(root.resolve("official_splits/test"));
    return root;
  }

  /** Writes {@code <folder>/<scene>/rgb_NNNNN.jpg} and {@code sync_depth_NNNNN.png} beside it. */
  public static void nyuPair(Path root, String folder, String scene, int index, RgbImage image, byte[] depthPng)
      throws IOException {
    Path dir = Files.createDirectories(root.resolve(folder).resolve(scene));
    Files.write(dir.resolve(String.format("rgb_%05d.jpg", index)), ImageCodec.encodeJpeg(image, 0.95f));
    Files.write(dir.resolve(String.format("sync_depth_%05d.png", index)), depthPng);
  }
}
