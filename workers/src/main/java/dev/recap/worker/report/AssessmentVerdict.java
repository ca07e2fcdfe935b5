package dev.recap.worker.report;

import java.util.List;
import java.util.Locale;

/**
 * The verdict of {@code recap assess} on one metric: the difference recaptioned − original per
 * seed (both runs of a seed share initialization and data order, so the differences are paired),
 * their mean and its two-sided 95% Student t-interval over the n seeds, and the sentence a reader
 * acts on: recaptioning helps, hurts, or no difference is detectable at this proxy size (with the
 * smallest effect the run could have detected: the interval's half-width).
 */
public final class AssessmentVerdict {

  /** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
      2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
      2.042};

  /** What the interval says. */
  public enum Kind { HELPS, HURTS, NO_DIFFERENCE, ONE_SEED }

  /**
   * One metric's verdict.
   *
   * @param task what the metric measures, in words ({@code segmentation}, {@code retrieval})
   * @param metric the metric's name as the report shows it ({@code mIoU}, {@code R@1})
   * @param n seeds with both runs measured
   * @param mean mean of recaptioned − original
   * @param low the interval's lower end (NaN for one seed)
   * @param high the interval's upper end (NaN for one seed)
   * @param halfWidth the smallest effect this run could detect (NaN for one seed)
   */
  public record Line(String task, String metric, int n, double mean, double low, double high, double halfWidth, Kind kind,
      String text) {}

  private AssessmentVerdict() {}

  /** The 0.975 quantile of Student's t with {@code df} degrees of freedom. */
  static double t975(int df) {
    return df >= 1 && df <= T975.length ? T975[df - 1] : 1.96;
  }

  /**
   * The verdict from per-seed differences recaptioned − original.
   *
   * @param higherIsBetter whether a larger value of the metric is better (mIoU, R@1) or worse (RMSE)
   */
  public static Line of(String task, String metric, boolean higherIsBetter, List<Double> differences) {
    int n = differences.size();
    if (n == 0) {
      throw new IllegalArgumentException("no seed has both runs measured on " + task + " " + metric);
    }
    double mean = differences.stream().mapToDouble(d -> d).average().orElse(0);
    if (n == 1) {
      return new Line(task, metric, 1, mean, Double.NaN, Double.NaN, Double.NaN, Kind.ONE_SEED, String.format(Locale.ROOT,
          "one seed only: recaptioned − original is %s %s on %s, but one seed gives no confidence interval; a larger"
              + " budget (more seeds) would", signed(mean), metric, task));
    }
    double ss = 0;
    for (double d : differences) {
      ss += (d - mean) * (d - mean);
    }
    double sd = Math.sqrt(ss / (n - 1));
    double half = t975(n - 1) * sd / Math.sqrt(n);
    double low = mean - half;
    double high = mean + half;
    String ci = String.format(Locale.ROOT, "95%% CI %s..%s, n = %d seeds", fmt(low), fmt(high), n);
    boolean better = higherIsBetter ? low > 0 : high < 0;
    boolean worse = higherIsBetter ? high < 0 : low > 0;
    if (better) {
      return new Line(task, metric, n, mean, low, high, half, Kind.HELPS, String.format(Locale.ROOT,
          "recaptioning helps %s by %s %s (%s)", task, fmt(Math.abs(mean)), metric, ci));
    }
    if (worse) {
      return new Line(task, metric, n, mean, low, high, half, Kind.HURTS, String.format(Locale.ROOT,
          "recaptioning hurts %s by %s %s (%s)", task, fmt(Math.abs(mean)), metric, ci));
    }
    return new Line(task, metric, n, mean, low, high, half, Kind.NO_DIFFERENCE, String.format(Locale.ROOT,
        "no difference detectable on %s at this proxy size (recaptioned − original %s %s, %s); the smallest effect this run"
            + " could detect is %s %s", task, signed(mean), metric, ci, fmt(half), metric));
  }

  /** Four significant decimals, as the rest of the report prints metrics. */
  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v + 0.0);
  }

  private static String signed(double v) {
    return (v >= 0 ? "+" : "") + fmt(v);
  }
}
