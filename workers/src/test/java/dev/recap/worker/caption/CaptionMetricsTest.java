package dev.recap.worker.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionMetricsTest {

  private static final double EPS = 1e-9;

  @Test
  void tokensAreLowerCasedWordsWithoutPunctuation() {
    assertEquals(List.of("a", "red", "circle", "on", "the", "left"), CaptionMetrics.tokens("A red circle, on the LEFT."));
  }

  @Test
  void bleuOfAnExactMatchIsOne() {
    assertEquals(1.0, CaptionMetrics.bleu4(List.of("the cat sat on the mat"), List.of(List.of("the cat sat on the mat"))), EPS);
  }

  @Test
  void bleuIsTheGeometricMeanOfClippedPrecisions() {
    // candidate a b c d e vs reference a b c d f: p1 = 4/5, p2 = 3/4, p3 = 2/3, p4 = 1/2, equal lengths
    double expected = Math.pow(0.8 * 0.75 * (2.0 / 3) * 0.5, 0.25);
    assertEquals(expected, CaptionMetrics.bleu4(List.of("a b c d e"), List.of(List.of("a b c d f"))), EPS);
    assertEquals(0.668740304976422, expected, 1e-12);
  }

  @Test
  void bleuAppliesTheBrevityPenaltyWithTheClosestReferenceLength() {
    // all precisions 1, c = 4; references of length 6 and 9: r = 6, BP = exp(1 - 6/4)
    double bleu = CaptionMetrics.bleu4(List.of("a b c d"), List.of(List.of("a b c d e f", "a b c d e f g h i")));
    assertEquals(Math.exp(-0.5), bleu, EPS);
  }

  @Test
  void bleuClipsRepeatedWordsByTheReferenceCount() {
    // "the the the the the" vs "the cat": unigram precision 1/5, no bigram match -> 0
    assertEquals(0.0, CaptionMetrics.bleu4(List.of("the the the the the"), List.of(List.of("the cat"))), EPS);
  }

  @Test
  void bleuSumsCountsOverTheCorpusBeforeTheMean() {
    // image 1 exact (4 tokens), image 2 exact (5 tokens): corpus precisions 1
    double bleu = CaptionMetrics.bleu4(List.of("a b c d", "e f g h i"), List.of(List.of("a b c d"), List.of("e f g h i")));
    assertEquals(1.0, bleu, EPS);
  }

  @Test
  void ciderOfExactMatchesWithoutLongNgramsIsFive() {
    // two images, captions of two words: n = 1, 2 give cosine 1, n = 3, 4 have no n-grams -> 10 * (1 + 1) / 4
    double cider = CaptionMetrics.ciderD(List.of("a b", "c d"), List.of(List.of("a b"), List.of("c d")));
    assertEquals(5.0, cider, EPS);
  }

  @Test
  void ciderWeighsByIdfAndClipsByTheReference() {
    // image 1: candidate "a b", reference "a c": unigram cosine = log2^2 / (sqrt2 log2)^2 = 0.5, no bigram match
    // -> 10 * 0.5 / 4 = 1.25; image 2 exact -> 5.0; corpus mean 3.125
    double cider = CaptionMetrics.ciderD(List.of("a b", "d e"), List.of(List.of("a c"), List.of("d e")));
    assertEquals(3.125, cider, EPS);
  }

  @Test
  void ciderGivesNoWeightToWordsEveryImageShares() {
    // "a" occurs in both images' references: idf 0, so only "b"/"c" and the bigrams count
    double cider = CaptionMetrics.ciderD(List.of("a b", "a c"), List.of(List.of("a b"), List.of("a c")));
    assertEquals(5.0, cider, EPS);
    double wrong = CaptionMetrics.ciderD(List.of("a c", "a b"), List.of(List.of("a b"), List.of("a c")));
    assertEquals(0.0, wrong, EPS);
  }

  @Test
  void ciderPenalisesLengthDifferences() {
    double same = CaptionMetrics.ciderD(List.of("a b", "c d"), List.of(List.of("a b"), List.of("c d")));
    double longer = CaptionMetrics.ciderD(List.of("a b x y z w v", "c d"), List.of(List.of("a b"), List.of("c d")));
    assertTrue(longer < same, longer + " < " + same);
  }

  @Test
  void metricsNameTheMismatchInSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CaptionMetrics.bleu4(List.of("a"), List.of(List.of("a"), List.of("b"))));
    assertTrue(e.getMessage().contains("1 candidate"), e.getMessage());
  }
}
