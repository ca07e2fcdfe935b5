package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The experiment's three claims, evaluated from the numbers. Every comparison of two runs on a
 * metric has a smallest detectable difference: twice the standard error of the difference of
 * their means, where that standard error combines the spread over seeds (sample standard
 * deviation over the square root of the number of seeds, per run) and the test-resampling
 * standard error of each run (bootstrap over test images, {@link ExperimentResults#testStandardError};
 * 0 where the results do not record it). One run beats another only if the difference of the
 * means exceeds it; with fewer than two seeds there is no seed spread and nothing is shown.
 * "Close" (claim b) holds only if the mobile encoder's deficit plus the detectable difference
 * stays within {@code closeTolerance} of the larger model's value. Each claim also states, per
 * metric, the largest detectable difference among its comparisons: an effect smaller than that
 * could not have been seen by this run.
 */
public final class ClaimCheck {

  /** The outcome of a claim. */
  public enum Verdict {
    HOLDS("holds"), DOES_NOT_HOLD("does not hold"), NOT_SHOWN("not shown"), NOT_EVALUATED("not evaluated");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** Which runs and settings the claims compare. */
  public record Settings(String qualityRun, String altTextRun, String maeRun, String mobileRun, String largeRun,
      String probeProtocol, String finetuneProtocol, double lowFraction, double closeTolerance) {}

  /**
   * One claim: its statement, verdict, the comparisons it rests on (one line each) and the
   * smallest difference it could have detected, per metric ({@link #resolution}).
   */
  /**
   * One claim: its statement, verdict, one evidence line per comparison it rests on (and context
   * lines), the smallest differences it could detect, and the outcomes of its comparisons in order.
   */
  public record Claim(String id, String statement, Verdict verdict, List<String> evidence, String resolution,
      List<Outcome> outcomes) {}

  /** The outcome of one pairwise comparison. */
  public enum Outcome { BETTER, WORSE, WITHIN, CLOSE, NOT_CLOSE, UNDECIDED, NO_SPREAD, MISSING }

  /**
   * A comparison's outcome and evidence line; {@code detectable} is its smallest detectable
   * difference (NaN when unknown) and {@code testOnly} the part test resampling alone contributes
   * (NaN when not recorded), a lower bound when the seed spread is unknown.
   */
  private record Comparison(Outcome outcome, String line, String metric, double detectable, double testOnly) {
    Comparison(Outcome outcome, String line, String metric) {
      this(outcome, line, metric, Double.NaN, Double.NaN);
    }
  }

  /** How many standard errors of the difference a difference must exceed: about a 95% two-sided test. */
  static final double STANDARD_ERRORS = 2.0;

  /** The claims' rule, for the report. */
  public static String rule(double closeTolerance) {
    return "Each comparison of two runs on a metric has a smallest detectable difference: 2 x the standard error of the "
        + "difference of their means, sqrt(sA^2/nA + sB^2/nB + tA^2 + tB^2), with s the sample standard deviation over "
        + "the n seeds and t the standard error over resampled test images (bootstrap; 0 where not recorded; not divided "
        + "by n, since every seed is scored on the same images). A run beats another only if the difference of the means "
        + "exceeds it; with fewer than 2 seeds a comparison is not shown. A claim holds only if every comparison it names "
        + "does; one comparison that goes the other way beyond it makes it not hold; anything else is 'not shown'. "
        + "'Close' (b): the mobile encoder's deficit plus the detectable difference is within "
        + Math.round(closeTolerance * 100) + "% of the larger ViT's value. Each claim states the largest detectable "
        + "difference among its comparisons per metric: a true effect smaller than that could not have been seen.";
  }

  public static List<Claim> evaluate(ExperimentResults results, Settings s) {
    List<Claim> claims = new ArrayList<>();
    List<Comparison> a = new ArrayList<>();
    // a job without the MAE run at all (a caption comparison) judges the alt-text half and says so
    boolean withMae = results.runs().stream().anyMatch(r -> r.run().equals(s.maeRun()));
    for (String metric : List.of("mIoU", "rmse")) {
      a.add(beats(results, s.qualityRun(), s.probeProtocol(), 1.0, s.altTextRun(), s.probeProtocol(), 1.0, metric));
      if (withMae) {
        a.add(beats(results, s.qualityRun(), s.probeProtocol(), 1.0, s.maeRun(), s.probeProtocol(), 1.0, metric));
      }
    }
    claims.add(new Claim("a", "quality-caption CLIP (" + s.qualityRun() + ") beats alt-text CLIP (" + s.altTextRun() + ")"
        + (withMae ? " and the MAE baseline (" + s.maeRun() + ")" : "") + " on mIoU and on RMSE (" + s.probeProtocol()
        + ", 100%)" + (withMae ? "" : "; the MAE baseline (" + s.maeRun() + ") is not in this job, so that half of the claim"
        + " is not evaluated"), verdictOfBeats(a), a.stream().map(Comparison::line).toList(), resolution(a), outcomes(a)));

    List<Comparison> b = new ArrayList<>();
    for (String metric : List.of("mIoU", "rmse")) {
      b.add(close(results, s, metric));
    }
    Verdict vb = b.stream().anyMatch(c -> c.outcome() == Outcome.MISSING) ? Verdict.NOT_EVALUATED
        : b.stream().allMatch(c -> c.outcome() == Outcome.CLOSE) ? Verdict.HOLDS
        : b.stream().anyMatch(c -> c.outcome() == Outcome.NOT_CLOSE) ? Verdict.DOES_NOT_HOLD : Verdict.NOT_SHOWN;
    List<String> evidenceB = new ArrayList<>(b.stream().map(Comparison::line).toList());
    parameterRatio(results, s).ifPresent(evidenceB::add);
    claims.add(new Claim("b", "the mobile encoder on quality captions (" + s.mobileRun() + ") is close to the larger ViT ("
        + s.largeRun() + ") on mIoU and RMSE (" + s.probeProtocol() + ", 100%)", vb, evidenceB, resolution(b), outcomes(b)));

    List<Comparison> c = new ArrayList<>();
    for (String metric : List.of("mIoU", "rmse")) {
      c.add(beats(results, s.qualityRun(), s.finetuneProtocol(), s.lowFraction(), s.altTextRun(), s.finetuneProtocol(),
          1.0, metric));
    }
    List<String> evidenceC = new ArrayList<>(c.stream().map(Comparison::line).toList());
    Verdict vc = verdictOfBeats(c);
    if (vc == Verdict.NOT_SHOWN) {
      evidenceC.add("a difference within the detectable difference is consistent with 'matches' but cannot tell a match "
          + "from a small loss");
    }
    claims.add(new Claim("c", "finetuning " + s.qualityRun() + " on " + Math.round(s.lowFraction() * 100)
        + "% of the dense data matches or beats " + s.altTextRun() + " on 100% (mIoU and RMSE, " + s.finetuneProtocol() + ")",
        vc, evidenceC, resolution(c), outcomes(c)));
    return claims;
  }

  private static List<Outcome> outcomes(List<Comparison> comparisons) {
    return comparisons.stream().map(Comparison::outcome).toList();
  }

  private static Verdict verdictOfBeats(List<Comparison> comparisons) {
    if (comparisons.stream().anyMatch(c -> c.outcome() == Outcome.WORSE)) {
      return Verdict.DOES_NOT_HOLD;
    }
    if (comparisons.stream().anyMatch(c -> c.outcome() == Outcome.MISSING)) {
      return Verdict.NOT_EVALUATED;
    }
    return comparisons.stream().allMatch(c -> c.outcome() == Outcome.BETTER) ? Verdict.HOLDS : Verdict.NOT_SHOWN;
  }

  private static String where(String run, String protocol, double fraction) {
    return run + " (" + protocol + " @ " + Math.round(fraction * 100) + "%)";
  }

  /**
   * Per metric, the largest detectable difference among the comparisons: what the claim as a
   * whole could resolve. Comparisons without a seed spread contribute their test-resampling part
   * as a lower bound ("at least").
   */
  static String resolution(List<Comparison> comparisons) {
    Map<String, double[]> byMetric = new LinkedHashMap<>();
    for (Comparison c : comparisons) {
      double[] worst = byMetric.computeIfAbsent(c.metric(), k -> new double[] {Double.NaN, Double.NaN, 0});
      if (!Double.isNaN(c.detectable())) {
        worst[0] = Double.isNaN(worst[0]) ? c.detectable() : Math.max(worst[0], c.detectable());
      } else {
        worst[2] = 1; // some comparison's detectable difference is unknown
        if (!Double.isNaN(c.testOnly())) {
          worst[1] = Double.isNaN(worst[1]) ? c.testOnly() : Math.max(worst[1], c.testOnly());
        }
      }
    }
    List<String> parts = new ArrayList<>();
    byMetric.forEach((metric, w) -> {
      if (w[2] == 0) {
        parts.add(metric + " " + Numbers.format(w[0]));
      } else {
        double bound = Double.isNaN(w[0]) ? w[1] : Double.isNaN(w[1]) ? w[0] : Math.max(w[0], w[1]);
        parts.add(metric + (Double.isNaN(bound) ? " unknown"
            : " at least " + Numbers.format(bound) + (Double.isNaN(w[0]) ? " (test images only: fewer than 2 seeds)"
                : " (some comparisons have fewer than 2 seeds)")));
      }
    });
    return "smallest difference this run could detect: " + String.join(", ", parts);
  }

  /** The seeds' and the test images' parts of the standard error of a difference of two means. */
  private record Noise(double seedVariance, double testVariance, boolean testRecorded) {
    static Noise of(ExperimentResults r, Summary a, Summary b, String runA, String protocolA, double fractionA,
        String runB, String protocolB, double fractionB, String metric) {
      double seeds = a.hasSpread() && b.hasSpread()
          ? a.std() * a.std() / a.n() + b.std() * b.std() / b.n() : Double.NaN;
      Optional<Double> ta = r.testStandardError(runA, protocolA, fractionA, metric);
      Optional<Double> tb = r.testStandardError(runB, protocolB, fractionB, metric);
      double test = ta.orElse(0.0) * ta.orElse(0.0) + tb.orElse(0.0) * tb.orElse(0.0);
      return new Noise(seeds, test, ta.isPresent() || tb.isPresent());
    }

    double detectable() {
      return STANDARD_ERRORS * Math.sqrt(seedVariance + testVariance);
    }

    double testOnly() {
      return testRecorded ? STANDARD_ERRORS * Math.sqrt(testVariance) : Double.NaN;
    }

    String describe() {
      return "detectable difference " + Numbers.format(detectable()) + " (2 x SE; seeds "
          + Numbers.format(Math.sqrt(seedVariance)) + ", test images " + (testRecorded
              ? Numbers.format(Math.sqrt(testVariance)) : "not recorded") + ")";
    }

    String describeWithoutSeeds() {
      return testRecorded ? "; test resampling alone puts the detectable difference at " + Numbers.format(testOnly()) + " or more"
          : "";
    }
  }

  private static Comparison beats(ExperimentResults r, String runA, String protocolA, double fractionA, String runB,
      String protocolB, double fractionB, String metric) {
    String a = where(runA, protocolA, fractionA);
    String b = where(runB, protocolB, fractionB);
    Optional<Summary> sa = r.summary(runA, protocolA, fractionA, metric);
    Optional<Summary> sb = r.summary(runB, protocolB, fractionB, metric);
    if (sa.isEmpty() || sb.isEmpty()) {
      return new Comparison(Outcome.MISSING, metric + " " + a + " vs " + b + ": no results for "
          + (sa.isEmpty() ? a : b) + " — not evaluated", metric);
    }
    String head = metric + " " + a + " " + sa.get().format() + " vs " + b + " " + sb.get().format();
    double advantage = ExperimentResults.higherIsBetter(metric) ? sa.get().mean() - sb.get().mean()
        : sb.get().mean() - sa.get().mean();
    Noise noise = Noise.of(r, sa.get(), sb.get(), runA, protocolA, fractionA, runB, protocolB, fractionB, metric);
    if (!sa.get().hasSpread() || !sb.get().hasSpread()) {
      return new Comparison(Outcome.NO_SPREAD, head + ": fewer than 2 seeds, no spread" + noise.describeWithoutSeeds()
          + " — not shown", metric, Double.NaN, noise.testOnly());
    }
    double detectable = noise.detectable();
    String numbers = ": " + (advantage >= 0 ? runA : runB) + " better by " + Numbers.format(Math.abs(advantage)) + " ("
        + (ExperimentResults.higherIsBetter(metric) ? "higher" : "lower") + " is better), " + noise.describe();
    if (advantage > detectable) {
      return new Comparison(Outcome.BETTER, head + numbers + " — holds", metric, detectable, noise.testOnly());
    }
    if (-advantage > detectable) {
      return new Comparison(Outcome.WORSE, head + numbers + " — does not hold (the other way beyond the detectable difference)",
          metric, detectable, noise.testOnly());
    }
    return new Comparison(Outcome.WITHIN, head + numbers + " — within noise", metric, detectable, noise.testOnly());
  }

  private static Comparison close(ExperimentResults r, ClaimCheck.Settings s, String metric) {
    String m = where(s.mobileRun(), s.probeProtocol(), 1.0);
    String l = where(s.largeRun(), s.probeProtocol(), 1.0);
    Optional<Summary> sm = r.summary(s.mobileRun(), s.probeProtocol(), 1.0, metric);
    Optional<Summary> sl = r.summary(s.largeRun(), s.probeProtocol(), 1.0, metric);
    if (sm.isEmpty() || sl.isEmpty()) {
      return new Comparison(Outcome.MISSING, metric + " " + m + " vs " + l + ": no results for " + (sm.isEmpty() ? m : l)
          + " — not evaluated", metric);
    }
    String head = metric + " " + m + " " + sm.get().format() + " vs " + l + " " + sl.get().format();
    Noise noise = Noise.of(r, sm.get(), sl.get(), s.mobileRun(), s.probeProtocol(), 1.0, s.largeRun(), s.probeProtocol(),
        1.0, metric);
    if (!sm.get().hasSpread() || !sl.get().hasSpread()) {
      return new Comparison(Outcome.NO_SPREAD, head + ": fewer than 2 seeds, no spread" + noise.describeWithoutSeeds()
          + " — not shown", metric, Double.NaN, noise.testOnly());
    }
    double deficit = ExperimentResults.higherIsBetter(metric) ? sl.get().mean() - sm.get().mean()
        : sm.get().mean() - sl.get().mean();
    double detectable = noise.detectable();
    double tolerance = s.closeTolerance() * Math.abs(sl.get().mean());
    String numbers = ": " + (deficit >= 0 ? "mobile behind by " : "mobile ahead by ") + Numbers.format(Math.abs(deficit))
        + ", " + noise.describe()
        + ", tolerance " + Numbers.format(tolerance) + " (" + Math.round(s.closeTolerance() * 100) + "% of "
        + Numbers.format(sl.get().mean()) + ")";
    if (deficit + detectable <= tolerance) {
      return new Comparison(Outcome.CLOSE, head + numbers + " — close", metric, detectable, noise.testOnly());
    }
    if (deficit - detectable > tolerance) {
      return new Comparison(Outcome.NOT_CLOSE, head + numbers + " — not close", metric, detectable, noise.testOnly());
    }
    return new Comparison(Outcome.UNDECIDED, head + numbers + " — the noise cannot decide", metric, detectable,
        noise.testOnly());
  }

  private static Optional<String> parameterRatio(ExperimentResults r, Settings s) {
    Long mobile = null;
    Long large = null;
    for (ExperimentResults.RunInfo info : r.runs()) {
      if (info.run().equals(s.mobileRun())) {
        mobile = info.parameters();
      } else if (info.run().equals(s.largeRun())) {
        large = info.parameters();
      }
    }
    if (mobile == null || large == null || mobile == 0) {
      return Optional.empty();
    }
    return Optional.of("parameters: " + s.mobileRun() + " " + mobile + " vs " + s.largeRun() + " " + large + " ("
        + Numbers.format((double) large / mobile) + "x)");
  }
}
