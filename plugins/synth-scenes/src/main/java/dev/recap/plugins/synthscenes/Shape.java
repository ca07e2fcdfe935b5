package dev.recap.plugins.synthscenes;

/**
 * The object shape classes. Each shape is defined inside a square box in normalized
 * coordinates {@code u, v} in [-1, 1] ({@code v = -1} is the top); the silhouettes differ in
 * topology and outline (holes, corners, thin parts) so that a dense head can tell them apart.
 */
public enum Shape {
  CIRCLE,
  SQUARE,
  TRIANGLE,
  DIAMOND,
  CROSS,
  RING,
  BAR;

  /** The class name used in captions, annotations and {@code classNames()}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the point (u, v) of the shape's box belongs to the shape. */
  public boolean contains(double u, double v) {
    if (u < -1 || u > 1 || v < -1 || v > 1) {
      return false;
    }
    double au = Math.abs(u);
    double av = Math.abs(v);
    return switch (this) {
      case CIRCLE -> u * u + v * v <= 1.0;
      case SQUARE -> au <= 0.85 && av <= 0.85;
      case TRIANGLE -> au <= (v + 1) / 2;
      case DIAMOND -> au + av <= 1.0;
      case CROSS -> au <= 0.3 || av <= 0.3;
      case RING -> {
        double r2 = u * u + v * v;
        yield r2 <= 1.0 && r2 >= 0.3;
      }
      case BAR -> au <= 0.28;
    };
  }
}
