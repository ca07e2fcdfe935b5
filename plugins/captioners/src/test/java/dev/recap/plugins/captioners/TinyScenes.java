package dev.recap.plugins.captioners;

import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tiny generated scenes for captioner tests: one coloured shape (circle, square, triangle) on the
 * left, in the centre or on the right of a noisy grey background. The quality caption is
 * determined by the image ("a red circle on the left"); the alt-text is web-like noise that only
 * sometimes mentions the right thing.
 */
final class TinyScenes {

  static final String[] COLOURS = {"red", "green", "blue", "yellow"};
  static final int[][] RGB = {{220, 40, 40}, {40, 190, 60}, {50, 80, 230}, {230, 210, 40}};
  static final String[] SHAPES = {"circle", "square", "triangle"};
  static final String[] POSITIONS = {"on the left", "in the centre", "on the right"};

  record Scene(String key, RgbImage image, String quality, String alt, List<ObjectAnnotation> objects) {
    /** As a curation request: the alt-text is the source caption. */
    CaptionRequest request() {
      return new CaptionRequest(key, image, alt, objects);
    }

    /** As a training reference: the quality caption is the source caption. */
    CaptionRequest reference() {
      return new CaptionRequest(key, image, quality, objects);
    }
  }

  private TinyScenes() {}

  static List<Scene> scenes(int from, int count, int size, long seed) {
    List<Scene> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(scene(i, size, seed));
    }
    return out;
  }

  static Scene scene(int index, int size, long seed) {
    // SplittableRandom hashes its seed: java.util.Random's first draws for neighbouring seeds are correlated
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
    int colour = r.nextInt(COLOURS.length);
    int shape = r.nextInt(SHAPES.length);
    int position = r.nextInt(POSITIONS.length);
    double cx = size * (position * 2 + 1) / 6.0 + (r.nextDouble() - 0.5) * size / 12.0;
    double cy = size / 2.0 + (r.nextDouble() - 0.5) * size / 4.0;
    double radius = size * (0.11 + r.nextDouble() * 0.05);
    byte[] rgb = new byte[size * size * 3];
    int grey = 70 + r.nextInt(40);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        boolean inside = inside(shape, x + 0.5 - cx, y + 0.5 - cy, radius);
        for (int c = 0; c < 3; c++) {
          int v = inside ? RGB[colour][c] + r.nextInt(21) - 10 : grey + r.nextInt(21) - 10;
          rgb[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    String quality = "a " + COLOURS[colour] + " " + SHAPES[shape] + " " + POSITIONS[position];
    String alt = switch (r.nextInt(6)) {
      case 0 -> "image " + index;
      case 1 -> "stock photo of abstract background";
      case 2 -> SHAPES[r.nextInt(SHAPES.length)] + " clipart free download";
      case 3 -> "beautiful " + COLOURS[r.nextInt(COLOURS.length)] + " wallpaper hd";
      case 4 -> "img_" + (1000 + index) + ".png";
      default -> "untitled";
    };
    ObjectAnnotation box = new ObjectAnnotation(SHAPES[shape], COLOURS[colour],
        (float) Math.max(0, (cx - radius) / size), (float) Math.max(0, (cy - radius) / size),
        (float) Math.min(1, (cx + radius) / size), (float) Math.min(1, (cy + radius) / size), 2f + r.nextFloat() * 6f);
    return new Scene(String.format("scene%05d", index), new RgbImage(size, size, rgb), quality, alt, List.of(box));
  }

  private static boolean inside(int shape, double dx, double dy, double radius) {
    return switch (shape) {
      case 0 -> dx * dx + dy * dy <= radius * radius;
      case 1 -> Math.abs(dx) <= radius * 0.85 && Math.abs(dy) <= radius * 0.85;
      default -> dy <= radius && dy >= -radius && Math.abs(dx) <= (dy + radius) / 2;
    };
  }
}
