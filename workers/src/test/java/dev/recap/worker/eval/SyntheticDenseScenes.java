package dev.recap.worker.eval;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test data: tiny labelled scenes. A grey-blue background (class 0) whose depth grows from 6 m at
 * the top to 2 m at the bottom, and one or two rectangles of class 1 (red, 1.5 m), 2 (green,
 * 3 m) or 3 (blue, 4.5 m) with pixel noise. Rectangle outlines are labelled 255 (ignore); about
 * 5% of depth pixels are 0 (invalid).
 */
final class SyntheticDenseScenes {

  static final List<String> CLASS_NAMES = List.of("background", "red-box", "green-box", "blue-box");
  private static final int[][] COLOURS = {{90, 110, 140}, {220, 40, 40}, {40, 200, 60}, {50, 70, 230}};

  private SyntheticDenseScenes() {}

  static List<Sample> generate(int count, int size, long seed, String prefix) {
    List<Sample> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(scene(new Random(seed * 1_000_003L + i), size, prefix + "-" + i));
    }
    return out;
  }

  private static Sample scene(Random random, int size, String key) {
    int pixels = size * size;
    byte[] classes = new byte[pixels];
    float[] depth = new float[pixels];
    for (int p = 0; p < pixels; p++) {
      depth[p] = 6f - 4f * (p / size) / (size - 1);
    }
    int boxes = 1 + random.nextInt(2);
    for (int k = 0; k < boxes; k++) {
      int cls = 1 + random.nextInt(3);
      int w = size / 4 + random.nextInt(size / 3);
      int h = size / 4 + random.nextInt(size / 3);
      int x0 = random.nextInt(size - w);
      int y0 = random.nextInt(size - h);
      for (int y = y0; y < y0 + h; y++) {
        for (int x = x0; x < x0 + w; x++) {
          boolean outline = x == x0 || y == y0 || x == x0 + w - 1 || y == y0 + h - 1;
          classes[y * size + x] = (byte) (outline ? 255 : cls);
          depth[y * size + x] = 1.5f * cls;
        }
      }
    }
    byte[] rgb = new byte[pixels * 3];
    for (int p = 0; p < pixels; p++) {
      int cls = classes[p] & 0xFF;
      int[] colour = COLOURS[cls == 255 ? 0 : cls];
      for (int c = 0; c < 3; c++) {
        int v = colour[c] + (int) Math.round(random.nextGaussian() * 12);
        rgb[p * 3 + c] = (byte) Math.max(0, Math.min(255, v));
      }
      if (random.nextDouble() < 0.05) {
        depth[p] = 0f;
      }
    }
    return new Sample(key, new RgbImage(size, size, rgb), Map.of(), List.of(), classes, depth);
  }
}
