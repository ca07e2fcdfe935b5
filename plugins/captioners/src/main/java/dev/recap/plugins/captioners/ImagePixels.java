package dev.recap.plugins.captioners;

import dev.recap.api.data.RgbImage;

/**
 * Turns {@link RgbImage}s into the float CHW input an image tower expects: resized bilinearly to
 * a square side, scaled to [0, 1] and normalized with CLIP's channel means and deviations.
 */
final class ImagePixels {

  private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private ImagePixels() {}

  /** Writes image as {@code [3, size, size]} into {@code out} from {@code offset}. */
  static void writeChw(RgbImage image, int size, float[] out, int offset) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / size - 0.5));
      int y0 = (int) Math.floor(sy);
      int y1 = Math.min(h - 1, y0 + 1);
      double fy = sy - y0;
      for (int x = 0; x < size; x++) {
        double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / size - 0.5));
        int x0 = (int) Math.floor(sx);
        int x1 = Math.min(w - 1, x0 + 1);
        double fx = sx - x0;
        for (int c = 0; c < 3; c++) {
          double top = (rgb[(y0 * w + x0) * 3 + c] & 0xff) * (1 - fx) + (rgb[(y0 * w + x1) * 3 + c] & 0xff) * fx;
          double bottom = (rgb[(y1 * w + x0) * 3 + c] & 0xff) * (1 - fx) + (rgb[(y1 * w + x1) * 3 + c] & 0xff) * fx;
          double v = (top * (1 - fy) + bottom * fy) / 255.0;
          out[offset + c * plane + y * size + x] = (float) ((v - MEAN[c]) / STD[c]);
        }
      }
    }
  }
}
