package dev.recap.worker.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScoreFilterTest {

  private static Map<String, Float> randomScores(int n, long seed) {
    Random r = new Random(seed);
    Map<String, Float> scores = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      scores.put(String.format("s%04d", i), r.nextFloat());
    }
    return scores;
  }

  @Test
  void topFractionKeepsExactlyTheRequestedShareOfTheBestScores() {
    Map<String, Float> scores = randomScores(1000, 1);
    for (double f : new double[] {0.0, 0.1, 0.3, 0.5, 0.8, 1.0}) {
      Set<String> kept = ScoreFilter.topFraction(f).keep(scores);
      assertEquals(Math.round(f * 1000), kept.size(), "kept at fraction " + f);
      float worstKept = kept.stream().map(scores::get).min(Float::compare).orElse(Float.POSITIVE_INFINITY);
      for (Map.Entry<String, Float> e : scores.entrySet()) {
        if (!kept.contains(e.getKey())) {
          assertTrue(e.getValue() <= worstKept, e.getKey() + " scored " + e.getValue() + " but was dropped while " + worstKept + " was kept");
        }
      }
    }
  }

  @Test
  void tiesAreBrokenByKeySoTheCountStaysExact() {
    Map<String, Float> scores = new LinkedHashMap<>();
    for (String k : List.of("d", "c", "b", "a")) {
      scores.put(k, 0.5f);
    }
    assertEquals(Set.of("a", "b"), ScoreFilter.topFraction(0.5).keep(scores));
  }

  @Test
  void thresholdKeepsScoresAtOrAboveItAndNeverNaN() {
    Map<String, Float> scores = Map.of("a", 0.2f, "b", 0.5f, "c", 0.9f, "d", Float.NaN);
    assertEquals(Set.of("b", "c"), ScoreFilter.threshold(0.5).keep(scores));
  }

  @Test
  void eachCaptionSourceIsRankedOnItsOwn() {
    Map<String, Map<String, Float>> bySource = new LinkedHashMap<>();
    bySource.put("alt-text", Map.of("a", 0.1f, "b", 0.2f, "c", 0.3f, "d", 0.4f));
    bySource.put("grounded", Map.of("a", 0.9f, "b", 0.8f, "c", 0.7f, "d", 0.6f));
    Map<String, Set<String>> kept = ScoreFilter.topFraction(0.5).keepPerSource(bySource);
    assertEquals(Set.of("c", "d"), kept.get("alt-text"));
    assertEquals(Set.of("a", "b"), kept.get("grounded"));
  }

  @Test
  void badFractionsAreRejectedWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreFilter.topFraction(30));
    assertTrue(e.getMessage().contains("30"), e.getMessage());
  }
}
