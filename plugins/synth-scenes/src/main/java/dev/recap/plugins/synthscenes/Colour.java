package dev.recap.plugins.synthscenes;

import java.util.Locale;

/** The object colours: saturated and far apart, and none close to the sky or the ground. */
public enum Colour {
  RED(210, 40, 40),
  GREEN(40, 170, 60),
  BLUE(40, 70, 210),
  YELLOW(230, 210, 40),
  PURPLE(140, 50, 170),
  ORANGE(240, 130, 20);

  final int r;
  final int g;
  final int b;

  Colour(int r, int g, int b) {
    this.r = r;
    this.g = g;
    this.b = b;
  }

  /** The colour word used in captions and annotations. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
