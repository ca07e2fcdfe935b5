package dev.recap.worker.caption;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps captions by image-text score: either the top fraction of each caption source, or every
 * caption whose score reaches a threshold.
 *
 * <p>Top fraction keeps exactly {@code round(fraction * n)} of the {@code n} scored captions of a
 * source; equal scores are ordered by sample key so the choice is deterministic. Scores that are
 * NaN rank below every number and never pass a threshold.
 */
public final class ScoreFilter {

  private final Double fraction;
  private final Double threshold;

  private ScoreFilter(Double fraction, Double threshold) {
    this.fraction = fraction;
    this.threshold = threshold;
  }

  /** Keeps the {@code fraction} (in [0, 1]) best-scored captions of each source. */
  public static ScoreFilter topFraction(double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("filter fraction must be in [0, 1], got " + fraction + " (0.3 keeps the top 30%)");
    }
    return new ScoreFilter(fraction, null);
  }

  /** Keeps captions scoring at least {@code minScore}. */
  public static ScoreFilter threshold(double minScore) {
    if (Double.isNaN(minScore)) {
      throw new IllegalArgumentException("filter threshold must be a number, got NaN");
    }
    return new ScoreFilter(null, minScore);
  }

  /** The sample keys to keep from one source's scores, best score first. */
  public Set<String> keep(Map<String, Float> scoresByKey) {
    List<Map.Entry<String, Float>> ranked = new ArrayList<>(scoresByKey.entrySet());
    ranked.sort(Comparator.<Map.Entry<String, Float>>comparingDouble(e -> rank(e.getValue())).reversed()
        .thenComparing(Map.Entry::getKey));
    Set<String> kept = new LinkedHashSet<>();
    if (fraction != null) {
      long count = Math.round(fraction * ranked.size());
      for (int i = 0; i < count; i++) {
        kept.add(ranked.get(i).getKey());
      }
    } else {
      for (Map.Entry<String, Float> e : ranked) {
        if (!e.getValue().isNaN() && e.getValue() >= threshold) {
          kept.add(e.getKey());
        }
      }
    }
    return kept;
  }

  /** {@link #keep} applied to each caption source separately (source -> key -> score). */
  public Map<String, Set<String>> keepPerSource(Map<String, Map<String, Float>> scoresBySource) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    scoresBySource.forEach((source, scores) -> out.put(source, keep(scores)));
    return out;
  }

  private static double rank(Float score) {
    return score.isNaN() ? Double.NEGATIVE_INFINITY : score;
  }

  @Override
  public String toString() {
    return fraction != null ? "top " + fraction * 100 + "%" : "score >= " + threshold;
  }
}
