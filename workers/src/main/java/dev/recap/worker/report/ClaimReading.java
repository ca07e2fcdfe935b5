package dev.recap.worker.report;

/**
 * A claim's verdict read in words, in one line, from the comparisons it rests on: how many of
 * them favour the claim beyond their detectable difference, how many are within it, and whether
 * any goes the other way.
 */
public final class ClaimReading {

  private ClaimReading() {}

  public static String of(ClaimCheck.Claim claim) {
    long favour = claim.evidence().stream().filter(e -> e.endsWith("— holds") || e.endsWith("— close")).count();
    long against = claim.evidence().stream().filter(e -> e.contains("— does not hold") || e.endsWith("— not close")).count();
    long noSpread = claim.evidence().stream().filter(e -> e.contains("fewer than 2 seeds")).count();
    long missing = claim.evidence().stream().filter(e -> e.endsWith("— not evaluated")).count();
    // evidence lines that are comparisons end in " — <outcome>"; others (a parameter count) are context
    int compared = (int) claim.evidence().stream().filter(e -> e.contains(" — ")).count();
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
}
