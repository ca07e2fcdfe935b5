package dev.recap.plugins.synthscenes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Places objects in a scene with a pinhole camera over a flat ground: a ground point seen at row
 * {@code y} below the horizon is at depth {@code CAMERA_HEIGHT * focal / (y - horizon)}, and an
 * object of size {@code S} metres at depth {@code d} is {@code S * focal / d} pixels tall. Depth is
 * therefore predictable from position and apparent size, which is what makes it learnable.
 */
final class SceneLayout {

  static final double CAMERA_HEIGHT = 1.6;
  static final double MIN_OBJECT_DEPTH = 3.0;
  static final double MAX_OBJECT_DEPTH = 12.0;
  static final double MAX_DEPTH = 80.0;
  /** An object less visible than this (fraction of its in-image pixels) is dropped. */
  static final double MIN_VISIBLE_FRACTION = 0.4;

  private SceneLayout() {}

  /** Focal length in pixels: a 53-degree field of view at any image size. */
  static double focal(int size) {
    return size;
  }

  /** Ground depth at a pixel row centre, capped at {@link #MAX_DEPTH}; 0 above the horizon. */
  static float groundDepth(int size, double horizonY, double rowCentre) {
    double below = rowCentre - horizonY;
    if (below <= 0) {
      return 0f;
    }
    return quantize(Math.min(MAX_DEPTH, CAMERA_HEIGHT * focal(size) / below));
  }

  /** Depths are held in whole millimetres so they survive a 16-bit PNG exactly. */
  static float quantize(double metres) {
    return (float) (Math.round(metres * 1000.0) / 1000.0);
  }

  static Scene place(SplittableRandom rnd, SceneOptions opt) {
    int size = opt.size();
    double f = focal(size);
    double horizon = size * (0.28 + 0.17 * rnd.nextDouble());
    int count = opt.minObjects() + rnd.nextInt(opt.maxObjects() - opt.minObjects() + 1);
    // the nearest depth whose ground contact row is still inside the image
    double nearest = Math.max(MIN_OBJECT_DEPTH, CAMERA_HEIGHT * f / (size - 1 - horizon));
    Set<String> used = new HashSet<>();
    List<PlacedObject> objects = new ArrayList<>();
    while (objects.size() < count) {
      Shape shape = Shape.values()[rnd.nextInt(Shape.values().length)];
      Colour colour = Colour.values()[rnd.nextInt(Colour.values().length)];
      SizeClass sizeClass = SizeClass.values()[rnd.nextInt(SizeClass.values().length)];
      double depth = quantize(nearest + (MAX_OBJECT_DEPTH - nearest) * rnd.nextDouble());
      double cx = size * (0.1 + 0.8 * rnd.nextDouble());
      // colour + shape name an object uniquely, so captions can refer to "the red circle"
      if (!used.add(colour + "/" + shape)) {
        continue;
      }
      double baseY = horizon + CAMERA_HEIGHT * f / depth;
      double sizePx = sizeClass.metres * f / depth;
      objects.add(new PlacedObject(shape, colour, sizeClass, cx, baseY, sizePx, (float) depth));
    }
    // far to near: the drawing order, so near objects occlude far ones
    objects.sort(Comparator.comparingDouble(PlacedObject::depthMetres).reversed());
    return new Scene(size, horizon, dropHidden(size, objects));
  }

  /** Drops objects that nearer ones hide too much: a caption must not name an invisible object. */
  private static List<PlacedObject> dropHidden(int size, List<PlacedObject> farToNear) {
    List<PlacedObject> kept = new ArrayList<>(farToNear);
    boolean changed = true;
    while (changed) {
      changed = false;
      int[] total = new int[kept.size()];
      int[] visible = new int[kept.size()];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          boolean hidden = false;
          for (int i = kept.size() - 1; i >= 0; i--) {
            if (kept.get(i).covers(x + 0.5, y + 0.5)) {
              total[i]++;
              if (!hidden) {
                visible[i]++;
                hidden = true;
              }
            }
          }
        }
      }
      for (int i = 0; i < kept.size(); i++) {
        if (visible[i] < 4 || visible[i] < MIN_VISIBLE_FRACTION * total[i]) {
          kept.remove(i);
          changed = true;
          break;
        }
      }
    }
    return List.copyOf(kept);
  }
}
