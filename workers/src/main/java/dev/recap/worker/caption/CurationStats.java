package dev.recap.worker.caption;

import java.util.Set;
import java.util.TreeSet;

/**
 * Statistics of the curation stage over one or more shards, as they reach the job result.
 *
 * @param samples samples read
 * @param captionsWritten captions written to sidecars
 * @param filteredOut captions dropped by the score filter
 * @param withoutCaption samples the captioner gave no caption (with a reason)
 * @param totalWords words over all written captions (for the mean length)
 * @param vocabulary distinct lower-cased words of the written captions
 * @param scored captions given an image-text score (0 without a scorer)
 * @param scoreSum sum of every score, kept or filtered out
 * @param keptScoreSum sum of the scores of the written captions
 */
public record CurationStats(
    long samples, long captionsWritten, long filteredOut, long withoutCaption, long totalWords, Set<String> vocabulary,
    long scored, double scoreSum, double keptScoreSum) {

  public CurationStats {
    vocabulary = Set.copyOf(vocabulary);
  }

  /** Statistics of a run without a scorer. */
  public CurationStats(long samples, long captionsWritten, long filteredOut, long withoutCaption, long totalWords,
      Set<String> vocabulary) {
    this(samples, captionsWritten, filteredOut, withoutCaption, totalWords, vocabulary, 0, 0, 0);
  }

  /** Mean image-text score of every scored caption, before filtering (NaN when none was scored). */
  public double meanScore() {
    return scored == 0 ? Double.NaN : scoreSum / scored;
  }

  /** Mean image-text score of the written captions (NaN when none was scored or none written). */
  public double meanKeptScore() {
    return scored == 0 || captionsWritten == 0 ? Double.NaN : keptScoreSum / captionsWritten;
  }

  /** Mean caption length in words over the written captions (0 when none). */
  public double meanLength() {
    return captionsWritten == 0 ? 0.0 : (double) totalWords / captionsWritten;
  }

  public int vocabularySize() {
    return vocabulary.size();
  }

  /** The statistics of two disjoint sets of shards together. */
  public CurationStats plus(CurationStats other) {
    Set<String> vocab = new TreeSet<>(vocabulary);
    vocab.addAll(other.vocabulary);
    return new CurationStats(samples + other.samples, captionsWritten + other.captionsWritten,
        filteredOut + other.filteredOut, withoutCaption + other.withoutCaption, totalWords + other.totalWords, vocab,
        scored + other.scored, scoreSum + other.scoreSum, keptScoreSum + other.keptScoreSum);
  }

  /** No samples. */
  public static CurationStats none() {
    return new CurationStats(0, 0, 0, 0, 0, Set.of());
  }

  @Override
  public String toString() {
    String text = String.format("%d samples: %d captions written, %d filtered out, %d without caption, mean length %.2f words, vocabulary %d",
        samples, captionsWritten, filteredOut, withoutCaption, meanLength(), vocabularySize());
    return scored == 0 ? text : text + String.format(", mean score %.4f (kept %.4f)", meanScore(), meanKeptScore());
  }
}
