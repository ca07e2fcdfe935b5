package dev.recap.worker.report;

import java.util.Locale;

/** One number format for the whole report, so the markdown, the html and the tests agree. */
public final class Numbers {

  private Numbers() {}

  /** Four significant decimals for fractions, fewer digits lost for large values. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-3)) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    return String.format(Locale.ROOT, a >= 100 ? "%.1f" : "%.4f", v);
  }
}
