package dev.recap.plugins.synthscenes;

import java.util.Locale;

/** Physical object size; the apparent size follows from it and the depth (perspective). */
public enum SizeClass {
  SMALL(0.8),
  MEDIUM(1.2),
  LARGE(1.8);

  /** Edge of the object's square box in metres. */
  public final double metres;

  SizeClass(double metres) {
    this.metres = metres;
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
