package dev.recap.worker.report;

import java.util.List;

/**
 * A claim's verdict read in words, in one line, from the comparisons it rests on: how many of
 * them favour the claim beyond their detectable difference, how many are within it, and whether
 * any goes the other way.
 */
public final class ClaimReading {

  private ClaimReading() {}

  public static String of(ClaimCheck.Claim claim) {
    List<ClaimCheck.Outcome> outcomes = claim.outcomes();
    long favour = count(outcomes, ClaimCheck.Outcome.BETTER, ClaimCheck.Outcome.CLOSE);
    long against = count(outcomes, ClaimCheck.Outcome.WORSE, ClaimCheck.Outcome.NOT_CLOSE);
    long noSpread = count(outcomes, ClaimCheck.Outcome.NO_SPREAD);
    long missing = count(outcomes, ClaimCheck.Outcome.MISSING);
    int compared = outcomes.size();
    return switch (claim.verdict()) {
      case HOLDS -> "Holds: all " + compared + " comparisons it names favour it beyond their detectable difference.";
      case DOES_NOT_HOLD -> "Does not hold: " + against + " of " + compared
          + " comparisons go the other way beyond their detectable difference" + (favour > 0 ? " (" + favour + " favour it)." : ".");
      case NOT_EVALUATED -> "Not evaluated: " + missing + " of " + compared + " comparisons lack the results of a run it names.";
      case NOT_SHOWN -> noSpread > 0 && noSpread == compared
          ? "Not shown: with one seed per run there is no seed spread to judge a difference against."
          : "Not shown: " + favour + " of " + compared + " comparisons favour it beyond their detectable difference; the "
              + "others are within it" + (noSpread > 0 ? " or have fewer than 2 seeds" : "") + ".";
    };
  }

  private static long count(List<ClaimCheck.Outcome> outcomes, ClaimCheck.Outcome... kinds) {
    List<ClaimCheck.Outcome> wanted = List.of(kinds);
    return outcomes.stream().filter(wanted::contains).count();
  }
}
