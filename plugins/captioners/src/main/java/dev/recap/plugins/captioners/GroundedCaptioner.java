package dev.recap.plugins.captioners;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.data.ObjectAnnotation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.pf4j.Extension;

/**
 * The captioner {@code grounded}: writes a dense, well-aligned caption from a sample's object
 * annotations, e.g. "a large red circle on the left, near; a small blue square in the centre, far.
 * the red circle is in front of the blue square."
 *
 * <p>Per object: size from the box's area share ({@code small} below {@code smallArea}, {@code
 * large} above {@code largeArea}, else {@code medium}), colour when annotated, the label, and the
 * horizontal position of the box centre (left / centre / right thirds). With depth on at least two
 * objects: {@code near} / {@code far} for the nearest and farthest third of the depth range, and
 * "X is in front of Y" for horizontally overlapping boxes at least {@code frontMargin} metres apart
 * (at most {@code maxRelations}). COCO-style annotations (label and box, no colour, NaN depth)
 * give the size, label and position parts. Objects are listed left to right, at most {@code
 * maxObjects}.
 *
 * <p>Config keys (defaults): {@code maxObjects} (8), {@code maxRelations} (3), {@code smallArea}
 * (0.04), {@code largeArea} (0.16), {@code frontMargin} (0.5).
 */
@Extension
public final class GroundedCaptioner implements Captioner {

  @Override
  public String id() {
    return "grounded";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Session open(PluginConfig config, long seed, Extensions extensions) {
    Options o = new Options(
        positive(config, "maxObjects", config.getInt("maxObjects", 8)),
        Math.max(0, config.getInt("maxRelations", 3)),
        config.getDouble("smallArea", 0.04),
        config.getDouble("largeArea", 0.16),
        config.getDouble("frontMargin", 0.5));
    if (!(o.smallArea < o.largeArea)) {
      throw new IllegalArgumentException("config key 'smallArea' (" + o.smallArea + ") must be below 'largeArea' (" + o.largeArea + ")");
    }
    return batch -> batch.stream().map(r -> caption(r, o)).toList();
  }

  private record Options(int maxObjects, int maxRelations, double smallArea, double largeArea, double frontMargin) {}

  private static int positive(PluginConfig config, String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("config key '" + key + "' must be at least 1, got " + value);
    }
    return value;
  }

  static Caption caption(CaptionRequest r, Options o) {
    List<ObjectAnnotation> objects = new ArrayList<>();
    for (ObjectAnnotation a : r.objects() == null ? List.<ObjectAnnotation>of() : r.objects()) {
      if (a.label() != null && !a.label().isBlank() && a.x1() > a.x0() && a.y1() > a.y0()) {
        objects.add(a);
      }
    }
    if (objects.isEmpty()) {
      return Caption.none(r.key(), "sample has no usable object annotations (label and non-empty box); grounded captions are built from them");
    }
    // the largest objects when there are too many, then listed left to right
    objects.sort(Comparator.comparingDouble(GroundedCaptioner::area).reversed());
    objects = new ArrayList<>(objects.subList(0, Math.min(o.maxObjects, objects.size())));
    objects.sort(Comparator.comparingDouble(GroundedCaptioner::centreX).thenComparing(ObjectAnnotation::label));

    float minDepth = Float.POSITIVE_INFINITY;
    float maxDepth = Float.NEGATIVE_INFINITY;
    int withDepth = 0;
    for (ObjectAnnotation a : objects) {
      if (hasDepth(a)) {
        withDepth++;
        minDepth = Math.min(minDepth, a.depthMetres());
        maxDepth = Math.max(maxDepth, a.depthMetres());
      }
    }
    boolean depthWords = withDepth >= 2 && maxDepth - minDepth >= o.frontMargin;

    List<String> phrases = new ArrayList<>();
    for (ObjectAnnotation a : objects) {
      StringBuilder p = new StringBuilder();
      String size = sizeWord(area(a), o);
      String colour = a.colour() == null || a.colour().isBlank() ? null : a.colour().strip().toLowerCase();
      p.append(article(size)).append(' ').append(size);
      if (colour != null) {
        p.append(' ').append(colour);
      }
      p.append(' ').append(label(a)).append(' ').append(position(a));
      if (depthWords && hasDepth(a)) {
        double t = (a.depthMetres() - minDepth) / (maxDepth - minDepth);
        if (t <= 1.0 / 3) {
          p.append(", near");
        } else if (t >= 2.0 / 3) {
          p.append(", far");
        }
      }
      phrases.add(p.toString());
    }
    StringBuilder text = new StringBuilder(String.join("; ", phrases)).append('.');

    int relations = 0;
    for (int i = 0; i < objects.size() && relations < o.maxRelations; i++) {
      for (int j = 0; j < objects.size() && relations < o.maxRelations; j++) {
        ObjectAnnotation front = objects.get(i);
        ObjectAnnotation back = objects.get(j);
        if (i != j && hasDepth(front) && hasDepth(back) && overlapX(front, back)
            && back.depthMetres() - front.depthMetres() >= o.frontMargin) {
          text.append(' ').append(name(front, objects)).append(" is in front of ").append(name(back, objects)).append('.');
          relations++;
        }
      }
    }
    return Caption.of(r.key(), text.toString());
  }

  private static String label(ObjectAnnotation a) {
    return a.label().strip().toLowerCase().replace('_', ' ');
  }

  /** "the red circle", or "the circle on the left" when colour does not tell it apart. */
  private static String name(ObjectAnnotation a, List<ObjectAnnotation> all) {
    String colour = a.colour() == null || a.colour().isBlank() ? null : a.colour().strip().toLowerCase();
    String base = colour == null ? label(a) : colour + " " + label(a);
    long same = all.stream().filter(b -> {
      String c = b.colour() == null || b.colour().isBlank() ? null : b.colour().strip().toLowerCase();
      return (c == null ? label(b) : c + " " + label(b)).equals(base);
    }).count();
    return "the " + base + (same > 1 ? " " + position(a) : "");
  }

  private static boolean hasDepth(ObjectAnnotation a) {
    return !Float.isNaN(a.depthMetres()) && a.depthMetres() > 0;
  }

  private static boolean overlapX(ObjectAnnotation a, ObjectAnnotation b) {
    return Math.min(a.x1(), b.x1()) > Math.max(a.x0(), b.x0());
  }

  private static double area(ObjectAnnotation a) {
    return (double) (a.x1() - a.x0()) * (a.y1() - a.y0());
  }

  private static double centreX(ObjectAnnotation a) {
    return (a.x0() + a.x1()) / 2.0;
  }

  private static String sizeWord(double area, Options o) {
    return area < o.smallArea ? "small" : area > o.largeArea ? "large" : "medium";
  }

  private static String position(ObjectAnnotation a) {
    double x = centreX(a);
    return x < 1.0 / 3 ? "on the left" : x > 2.0 / 3 ? "on the right" : "in the centre";
  }

  private static String article(String word) {
    return "aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0 ? "an" : "a";
  }
}
