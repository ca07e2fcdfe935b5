package dev.recap.plugins.synthscenes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes the two captions of a scene: a web alt-text (a mixture of unrelated text, partial or
 * wrong mentions and short correct ones) and a quality caption that names every object with its
 * colour, shape, size, position, distance and which objects stand in front of which.
 */
final class SceneCaptions {

  /** Objects nearer than this are "near", others "far". */
  static final double NEAR_METRES = 6.0;

  private static final String[] SHOP_PHRASES = {
    "Buy now! Free shipping on orders over $%d",
    "Best price guaranteed - %d%% off today",
    "Click to enlarge (%d)",
    "stock photo %d royalty free",
    "wallpaper hd 1920x1080 #%d",
    "Product image %d of 8",
    "New arrivals %d - shop the collection",
  };
  private static final String[] FILE_NAMES = {
    "IMG_%04d.jpg", "DSC%05d", "photo_%d.png", "untitled-%d", "image%d.jpeg", "Screenshot %d",
  };
  private static final String[] WORDS = {"one", "two", "three", "four", "five", "six", "seven"};

  private SceneCaptions() {}

  static String alt(Scene scene, SceneOptions opt, SplittableRandom rnd) {
    double total = opt.altUnrelated() + opt.altPartial() + opt.altCorrect();
    double r = rnd.nextDouble() * total;
    List<PlacedObject> objects = scene.objects();
    if (r < opt.altUnrelated() || objects.isEmpty()) {
      String[] pool = rnd.nextBoolean() ? SHOP_PHRASES : FILE_NAMES;
      return String.format(Locale.ROOT, pool[rnd.nextInt(pool.length)], rnd.nextInt(10_000));
    }
    PlacedObject o = objects.get(rnd.nextInt(objects.size()));
    if (r < opt.altUnrelated() + opt.altPartial()) {
      String text = switch (rnd.nextInt(4)) {
        case 0 -> o.colour().word() + " thing";
        case 1 -> o.shape().word();
        case 2 -> other(Colour.values(), o.colour(), rnd).word() + " " + o.shape().word(); // wrong colour
        default -> o.colour().word() + " " + other(Shape.values(), o.shape(), rnd).word(); // wrong shape
      };
      return rnd.nextBoolean() ? text : text + " - buy online";
    }
    // short and correct, but without sizes, positions or depth
    if (objects.size() == 1 || rnd.nextBoolean()) {
      return "a " + o.name();
    }
    PlacedObject second = objects.get((objects.indexOf(o) + 1) % objects.size());
    return o.name() + " and " + second.name();
  }

  static String quality(Scene scene) {
    List<PlacedObject> objects = new ArrayList<>(scene.objects());
    StringBuilder s = new StringBuilder();
    String horizon = scene.horizonY() < scene.size() * 0.36 ? "high" : "low";
    if (objects.isEmpty()) {
      return "An empty ground plane under a blue sky, with a " + horizon + " horizon.";
    }
    s.append(capital(count(objects.size()))).append(objects.size() == 1 ? " object stands" : " objects stand")
        .append(" on a checkered ground plane under a blue sky, with a ").append(horizon).append(" horizon.");
    objects.sort(Comparator.comparingDouble(PlacedObject::centreX));
    for (PlacedObject o : objects) {
      s.append(" A ").append(o.size().word()).append(' ').append(o.name())
          .append(' ').append(position(o, scene.size()))
          .append(", ").append(o.depthMetres() < NEAR_METRES ? "near" : "far")
          .append(String.format(Locale.ROOT, ", about %.1f metres away.", o.depthMetres()));
    }
    for (PlacedObject front : objects) {
      for (PlacedObject back : objects) {
        if (front != back && front.depthMetres() < back.depthMetres() && overlap(front, back)) {
          s.append(" The ").append(front.name()).append(" is in front of the ").append(back.name()).append('.');
        }
      }
    }
    return s.toString();
  }

  static String position(PlacedObject o, int size) {
    if (o.centreX() < size / 3.0) {
      return "on the left";
    }
    return o.centreX() > 2 * size / 3.0 ? "on the right" : "in the centre";
  }

  /** Whether the two objects' boxes overlap in the image, so one can hide part of the other. */
  static boolean overlap(PlacedObject a, PlacedObject b) {
    return a.left() < b.right() && b.left() < a.right() && a.top() < b.baseY() && b.top() < a.baseY();
  }

  private static String count(int n) {
    return n <= WORDS.length ? WORDS[n - 1] : Integer.toString(n);
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static <T> T other(T[] values, T not, SplittableRandom rnd) {
    T t;
    do {
      t = values[rnd.nextInt(values.length)];
    } while (t == not);
    return t;
  }
}
