package dev.recap.worker.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The experiment's three claims, evaluated from the numbers. The rule, stated in the report: one
 * run beats another on a metric only if the difference of the means exceeds the combined spread
 * (the sum of the two sample standard deviations over seeds); with fewer than two seeds there is
 * no spread and nothing is shown. "Close" (claim b) holds only if the mobile encoder's deficit
 * plus the combined spread stays within {@code closeTolerance} of the larger model's value.
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

  /** One claim: its statement, verdict and the comparisons it rests on (one line each). */
  public record Claim(String id, String statement, Verdict verdict, List<String> evidence) {}

  /** The outcome of one pairwise comparison. */
  enum Outcome { BETTER, WORSE, WITHIN, CLOSE, NOT_CLOSE, UNDECIDED, NO_SPREAD, MISSING }

  private record Comparison(Outcome outcome, String line) {}

  /** The claims' rule in one sentence, for the report. */
  public static String rule(double closeTolerance) {
    return "A run beats another on a metric only if the difference of the means exceeds the combined spread "
        + "(sum of the two sample standard deviations over seeds); with fewer than 2 seeds a comparison is not shown. "
        + "A claim holds only if every comparison it names does; one comparison that goes the other way beyond the "
        + "spread makes it not hold; anything else is 'not shown'. 'Close' (b): the mobile encoder's deficit plus the "
        + "combined spread is within " + Math.round(closeTolerance * 100) + "% of the larger ViT's value.";
  }

  public static List<Claim> evaluate(ExperimentResults results, Settings s) {
    List<Claim> claims = new ArrayList<>();
    List<Comparison> a = new ArrayList<>();
    for (String metric : List.of("mIoU", "rmse")) {
      a.add(beats(results, s.qualityRun(), s.probeProtocol(), 1.0, s.altTextRun(), s.probeProtocol(), 1.0, metric));
      a.add(beats(results, s.qualityRun(), s.probeProtocol(), 1.0, s.maeRun(), s.probeProtocol(), 1.0, metric));
    }
    claims.add(new Claim("a", "quality-caption CLIP (" + s.qualityRun() + ") beats alt-text CLIP (" + s.altTextRun()
        + ") and the MAE baseline (" + s.maeRun() + ") on mIoU and on RMSE (" + s.probeProtocol() + ", 100%)",
        verdictOfBeats(a), a.stream().map(Comparison::line).toList()));

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
        + s.largeRun() + ") on mIoU and RMSE (" + s.probeProtocol() + ", 100%)", vb, evidenceB));

    List<Comparison> c = new ArrayList<>();
    for (String metric : List.of("mIoU", "rmse")) {
      c.add(beats(results, s.qualityRun(), s.finetuneProtocol(), s.lowFraction(), s.altTextRun(), s.finetuneProtocol(),
          1.0, metric));
    }
    List<String> evidenceC = new ArrayList<>(c.stream().map(Comparison::line).toList());
    Verdict vc = verdictOfBeats(c);
    if (vc == Verdict.NOT_SHOWN) {
      evidenceC.add("a difference within the spread is consistent with 'matches' but cannot tell a match from a small loss");
    }
    claims.add(new Claim("c", "finetuning " + s.qualityRun() + " on " + Math.round(s.lowFraction() * 100)
        + "% of the dense data matches or beats " + s.altTextRun() + " on 100% (mIoU and RMSE, " + s.finetuneProtocol() + ")",
        vc, evidenceC));
    return claims;
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

  private static Comparison beats(ExperimentResults r, String runA, String protocolA, double fractionA, String runB,
      String protocolB, double fractionB, String metric) {
    String a = where(runA, protocolA, fractionA);
    String b = where(runB, protocolB, fractionB);
    Optional<Summary> sa = r.summary(runA, protocolA, fractionA, metric);
    Optional<Summary> sb = r.summary(runB, protocolB, fractionB, metric);
    if (sa.isEmpty() || sb.isEmpty()) {
      return new Comparison(Outcome.MISSING, metric + " " + a + " vs " + b + ": no results for "
          + (sa.isEmpty() ? a : b) + " — not evaluated");
    }
    String head = metric + " " + a + " " + sa.get().format() + " vs " + b + " " + sb.get().format();
    double advantage = ExperimentResults.higherIsBetter(metric) ? sa.get().mean() - sb.get().mean()
        : sb.get().mean() - sa.get().mean();
    if (!sa.get().hasSpread() || !sb.get().hasSpread()) {
      return new Comparison(Outcome.NO_SPREAD, head + ": fewer than 2 seeds, no spread — not shown");
    }
    double spread = sa.get().std() + sb.get().std();
    String numbers = ": " + (advantage >= 0 ? runA : runB) + " better by " + Numbers.format(Math.abs(advantage)) + " ("
        + (ExperimentResults.higherIsBetter(metric) ? "higher" : "lower") + " is better), combined spread "
        + Numbers.format(spread);
    if (advantage > spread) {
      return new Comparison(Outcome.BETTER, head + numbers + " — holds");
    }
    if (-advantage > spread) {
      return new Comparison(Outcome.WORSE, head + numbers + " — does not hold (the other way beyond the spread)");
    }
    return new Comparison(Outcome.WITHIN, head + numbers + " — within spread");
  }

  private static Comparison close(ExperimentResults r, ClaimCheck.Settings s, String metric) {
    String m = where(s.mobileRun(), s.probeProtocol(), 1.0);
    String l = where(s.largeRun(), s.probeProtocol(), 1.0);
    Optional<Summary> sm = r.summary(s.mobileRun(), s.probeProtocol(), 1.0, metric);
    Optional<Summary> sl = r.summary(s.largeRun(), s.probeProtocol(), 1.0, metric);
    if (sm.isEmpty() || sl.isEmpty()) {
      return new Comparison(Outcome.MISSING, metric + " " + m + " vs " + l + ": no results for " + (sm.isEmpty() ? m : l)
          + " — not evaluated");
    }
    String head = metric + " " + m + " " + sm.get().format() + " vs " + l + " " + sl.get().format();
    if (!sm.get().hasSpread() || !sl.get().hasSpread()) {
      return new Comparison(Outcome.NO_SPREAD, head + ": fewer than 2 seeds, no spread — not shown");
    }
    double deficit = ExperimentResults.higherIsBetter(metric) ? sl.get().mean() - sm.get().mean()
        : sm.get().mean() - sl.get().mean();
    double spread = sm.get().std() + sl.get().std();
    double tolerance = s.closeTolerance() * Math.abs(sl.get().mean());
    String numbers = ": " + (deficit >= 0 ? "mobile behind by " : "mobile ahead by ") + Numbers.format(Math.abs(deficit))
        + ", combined spread " + Numbers.format(spread)
        + ", tolerance " + Numbers.format(tolerance) + " (" + Math.round(s.closeTolerance() * 100) + "% of "
        + Numbers.format(sl.get().mean()) + ")";
    if (deficit + spread <= tolerance) {
      return new Comparison(Outcome.CLOSE, head + numbers + " — close");
    }
    if (deficit - spread > tolerance) {
      return new Comparison(Outcome.NOT_CLOSE, head + numbers + " — not close");
    }
    return new Comparison(Outcome.UNDECIDED, head + numbers + " — the spread cannot decide");
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
