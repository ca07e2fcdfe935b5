package dev.recap.worker.exchange;

import java.util.Arrays;

/**
 * A unanimous decision of the gang on one step: every rank votes, every rank learns the same
 * outcome. The trainer votes whether its loss and gradients are finite, and all ranks skip the
 * step together unless every vote is yes, so the replicas never apply different updates.
 *
 * @param tag the vote, e.g. {@code "finite/step-17"}
 * @param dissentingRanks the ranks that voted no, ascending
 */
public record StepVote(String tag, int[] dissentingRanks) {

  /** Casts this rank's vote and returns the gang's outcome (the same on every rank). */
  public static StepVote cast(Collective collective, String tag, boolean yes) {
    float[][] votes = collective.allGather(tag, new float[] {yes ? 1f : 0f});
    int[] no = new int[votes.length];
    int n = 0;
    for (int r = 0; r < votes.length; r++) {
      if (votes[r].length != 1 || votes[r][0] != 1f) {
        no[n++] = r;
      }
    }
    return new StepVote(tag, Arrays.copyOf(no, n));
  }

  /** Whether every rank voted yes. */
  public boolean unanimous() {
    return dissentingRanks.length == 0;
  }
}
