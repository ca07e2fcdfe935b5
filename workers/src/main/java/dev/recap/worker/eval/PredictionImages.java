package dev.recap.worker.eval;

import dev.recap.api.data.RgbImage;
import dev.recap.api.dense.DenseTask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Sample predictions as PNG strips: input | ground truth | prediction, separated by a white gap.
 * Classes get a fixed palette (class id -> colour, the same in every image and run; ignored
 * pixels black); depth gets the viridis-like colour map over one range per strip (the ground
 * truth's valid min..max) so truth and prediction are comparable; invalid depth is black.
 * Files are written to a temporary name and renamed, so a reader never sees half a PNG.
 */
public final class PredictionImages {

  private static final int GAP = 2;

  /** A fixed palette: Pascal VOC's bit-interleaved colour map, which extends to 255 classes. */
  public static int classColour(int classId) {
    if (classId == DenseTask.IGNORE_CLASS) {
      return 0x000000;
    }
    int id = classId + 1; // keep black for "ignore" only
    int r = 0;
    int g = 0;
    int b = 0;
    for (int shift = 7; shift >= 0; shift--) {
      r |= ((id >> 0) & 1) << shift;
      g |= ((id >> 1) & 1) << shift;
      b |= ((id >> 2) & 1) << shift;
      id >>= 3;
    }
    return (r << 16) | (g << 8) | b;
  }

  /** A colour for {@code t} in [0, 1]: dark purple (near) through teal to yellow (far). */
  public static int depthColour(double t) {
    double[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    int i = Math.min((int) x, stops.length - 2);
    double f = x - i;
    int r = (int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0]));
    int g = (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1]));
    int b = (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2]));
    return (r << 16) | (g << 8) | b;
  }

  private PredictionImages() {}

  /** Writes input | true classes | predicted classes. */
  public static void writeSegmentation(Path file, RgbImage input, byte[] truth, int[] prediction) throws IOException {
    int w = input.width();
    int h = input.height();
    BufferedImage strip = strip(input);
    for (int p = 0; p < w * h; p++) {
      strip.setRGB(w + GAP + p % w, p / w, classColour(truth[p] & 0xFF));
      strip.setRGB(2 * (w + GAP) + p % w, p / w, classColour(prediction[p]));
    }
    write(strip, file);
  }

  /** Writes input | true depth | predicted depth, both coloured over the truth's valid range. */
  public static void writeDepth(Path file, RgbImage input, float[] truth, float[] prediction) throws IOException {
    int w = input.width();
    int h = input.height();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float d : truth) {
      if (d > DenseTask.INVALID_DEPTH && Float.isFinite(d)) {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
    }
    if (!(hi > lo)) {
      lo = 0;
      hi = Math.max(1, Double.isFinite(hi) ? hi : 1);
    }
    BufferedImage strip = strip(input);
    for (int p = 0; p < w * h; p++) {
      boolean valid = truth[p] > DenseTask.INVALID_DEPTH && Float.isFinite(truth[p]);
      strip.setRGB(w + GAP + p % w, p / w, valid ? depthColour((truth[p] - lo) / (hi - lo)) : 0);
      strip.setRGB(2 * (w + GAP) + p % w, p / w, depthColour((prediction[p] - lo) / (hi - lo)));
    }
    write(strip, file);
  }

  private static BufferedImage strip(RgbImage input) {
    int w = input.width();
    int h = input.height();
    BufferedImage strip = new BufferedImage(3 * w + 2 * GAP, h, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < strip.getWidth(); x++) {
      for (int y = 0; y < h; y++) {
        strip.setRGB(x, y, 0xFFFFFF);
      }
    }
    byte[] rgb = input.rgb();
    for (int p = 0; p < w * h; p++) {
      int c = ((rgb[3 * p] & 0xFF) << 16) | ((rgb[3 * p + 1] & 0xFF) << 8) | (rgb[3 * p + 2] & 0xFF);
      strip.setRGB(p % w, p / w, c);
    }
    return strip;
  }

  private static void write(BufferedImage image, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      if (!ImageIO.write(image, "png", tmp.toFile())) {
        throw new IOException("no PNG writer available in this JVM (javax.imageio) for " + file);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
