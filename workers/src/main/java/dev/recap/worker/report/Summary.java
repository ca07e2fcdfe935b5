package dev.recap.worker.report;

import java.util.List;

/**
 * Mean and spread of one metric over seeds. The spread is the sample standard deviation (n - 1
 * in the denominator); with one value it is unknown (NaN), and no claim can rest on it.
 */
public record Summary(int n, double mean, double std, double min, double max, List<Double> values) {

  /** Summarizes values (at least one). */
  public static Summary of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values to summarize");
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double mean = sum / values.size();
    double std = Double.NaN;
    if (values.size() > 1) {
      double sq = 0;
      for (double v : values) {
        sq += (v - mean) * (v - mean);
      }
      std = Math.sqrt(sq / (values.size() - 1));
    }
    return new Summary(values.size(), mean, std, min, max, List.copyOf(values));
  }

  /** True if the spread is known (n >= 2). */
  public boolean hasSpread() {
    return n > 1;
  }

  /** "0.4100 ± 0.0100 (n=2)", or "0.4100 (n=1)". */
  public String format() {
    return hasSpread() ? Numbers.format(mean) + " ± " + Numbers.format(std) + " (n=" + n + ")"
        : Numbers.format(mean) + " (n=1)";
  }
}
