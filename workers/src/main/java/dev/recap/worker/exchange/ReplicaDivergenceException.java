package dev.recap.worker.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replicas of one model hold different parameters: the run must stop, since continuing would
 * average updates of different models. The message lists which ranks hold which checksum.
 */
public final class ReplicaDivergenceException extends IllegalStateException {

  private final String tag;
  private final Map<Long, List<Integer>> ranksByChecksum;

  ReplicaDivergenceException(String tag, Map<Long, List<Integer>> ranksByChecksum) {
    super(describe(tag, ranksByChecksum));
    this.tag = tag;
    this.ranksByChecksum = Map.copyOf(ranksByChecksum);
  }

  private static String describe(String tag, Map<Long, List<Integer>> ranksByChecksum) {
    List<String> groups = new ArrayList<>();
    ranksByChecksum.forEach((sum, ranks) ->
        groups.add("rank(s) " + ranks + " have " + Long.toHexString(sum)));
    return "parameter checksums differ at '" + tag + "': " + String.join("; ", groups)
        + ". The replicas diverged; stop the run and resume from the last checkpoint.";
  }

  /** The check that failed. */
  public String tag() {
    return tag;
  }

  /** Which ranks reported which checksum. */
  public Map<Long, List<Integer>> ranksByChecksum() {
    return ranksByChecksum;
  }
}
