package dev.recap.api.conformance;

/**
 * What running a {@link ConformanceKit} gave.
 *
 * @param passed every check held
 * @param checks how many checks ran (up to and including the failed one)
 * @param failedCheck the name of the check that failed, or null
 * @param message why it failed, or null
 * @param millis how long the kit ran
 */
public record ConformanceOutcome(boolean passed, int checks, String failedCheck, String message, long millis) {

  /** Every one of {@code checks} checks held. */
  public static ConformanceOutcome passed(int checks, long millis) {
    return new ConformanceOutcome(true, checks, null, null, millis);
  }

  /** {@code check} failed with {@code message}. */
  public static ConformanceOutcome failed(String check, String message, long millis) {
    return new ConformanceOutcome(false, 0, check, message, millis);
  }

  /** "pass", or the failed check and its message, in one line. */
  public String summary() {
    return passed ? "pass (" + checks + " checks)" : failedCheck + ": " + message;
  }
}
