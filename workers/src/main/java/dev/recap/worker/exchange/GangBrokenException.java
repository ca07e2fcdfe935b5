package dev.recap.worker.exchange;

import java.util.Arrays;

/**
 * A gang can no longer complete an exchange: a member left, a bucket was lost with its member,
 * or some ranks did not contribute within the operation timeout. The step named by {@link
 * #tag()} must be abandoned by every rank and the gang re-formed (a new {@link Gang}) from the
 * last committed state; the collective that threw stays broken.
 */
public final class GangBrokenException extends RuntimeException {

  private final String gangId;
  private final String tag;
  private final int[] missingRanks;
  private final String why;

  /** The gang {@code gangId} broke during {@code tag}; {@code missingRanks} may be empty. */
  public GangBrokenException(String gangId, String tag, int[] missingRanks, String why,
      Throwable cause) {
    super("gang " + gangId + " broke during '" + tag + "'"
        + (missingRanks.length == 0 ? "" : ", missing rank(s) " + Arrays.toString(missingRanks))
        + ": " + why, cause);
    this.gangId = gangId;
    this.tag = tag;
    this.missingRanks = missingRanks.clone();
    this.why = why;
  }

  /** Why the gang broke, without the gang and step. */
  public String reason() {
    return why;
  }

  /** The formation that broke. */
  public String gangId() {
    return gangId;
  }

  /** The operation (step) that could not complete. */
  public String tag() {
    return tag;
  }

  /** The ranks that left or did not contribute, ascending; empty if unknown. */
  public int[] missingRanks() {
    return missingRanks.clone();
  }
}
