package dev.recap.worker.caption;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Corpus-level caption quality metrics against reference captions: BLEU-4 (Papineni et al. 2002)
 * and CIDEr-D (Vedantam et al. 2015, as the coco-caption evaluation code computes it).
 *
 * <p>Captions are tokenized by lower-casing and splitting on anything that is not a letter or a
 * digit (coco-caption uses the PTB tokenizer, which gives the same tokens on plain captions).
 */
public final class CaptionMetrics {

  private static final int MAX_N = 4;
  private static final double CIDER_SIGMA = 6.0;

  private CaptionMetrics() {}

  /** Lower-cased word tokens of a caption. */
  public static List<String> tokens(String caption) {
    List<String> out = new ArrayList<>();
    for (String t : caption.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{Nd}]+")) {
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Corpus BLEU-4: clipped n-gram precisions (n = 1..4) summed over the corpus, their geometric
   * mean with uniform weights, times the brevity penalty {@code exp(1 - r / c)} when the total
   * candidate length {@code c} is below the effective reference length {@code r} (per candidate,
   * the reference length closest to it, the shorter one on ties). In [0, 1].
   *
   * @param candidates one caption per image
   * @param references the reference captions of each image, at least one each
   */
  public static double bleu4(List<String> candidates, List<List<String>> references) {
    checkSizes(candidates, references);
    long[] matched = new long[MAX_N];
    long[] total = new long[MAX_N];
    long candidateLength = 0;
    long referenceLength = 0;
    for (int i = 0; i < candidates.size(); i++) {
      List<String> cand = tokens(candidates.get(i));
      List<List<String>> refs = references.get(i).stream().map(CaptionMetrics::tokens).toList();
      candidateLength += cand.size();
      referenceLength += closestLength(cand.size(), refs);
      for (int n = 1; n <= MAX_N; n++) {
        Map<List<String>, Integer> candCounts = ngrams(cand, n);
        Map<List<String>, Integer> maxRef = new HashMap<>();
        for (List<String> ref : refs) {
          ngrams(ref, n).forEach((g, c) -> maxRef.merge(g, c, Math::max));
        }
        for (Map.Entry<List<String>, Integer> e : candCounts.entrySet()) {
          matched[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
          total[n - 1] += e.getValue();
        }
      }
    }
    double logSum = 0;
    for (int n = 0; n < MAX_N; n++) {
      if (matched[n] == 0 || total[n] == 0) {
        return 0.0; // no smoothing: a zero precision makes the geometric mean zero
      }
      logSum += Math.log((double) matched[n] / total[n]);
    }
    double brevity = candidateLength >= referenceLength ? 1.0 : Math.exp(1.0 - (double) referenceLength / candidateLength);
    return brevity * Math.exp(logSum / MAX_N);
  }

  /**
   * Corpus CIDEr-D, the mean over images of the per-image score: for n = 1..4, n-gram vectors
   * weighted by term frequency times {@code log(N) - log(max(1, df))} (df = number of images whose
   * references contain the n-gram, N = number of images), the candidate's counts clipped by the
   * reference's, cosine similarity times the length penalty {@code exp(-(lc - lr)^2 / (2 * 6^2))},
   * averaged over references and over n, times 10. Needs at least two images to be non-zero (with
   * one image every n-gram has idf 0).
   */
  public static double ciderD(List<String> candidates, List<List<String>> references) {
    checkSizes(candidates, references);
    int images = candidates.size();
    if (images == 0) {
      return 0.0;
    }
    List<List<List<String>>> refTokens = new ArrayList<>();
    Map<List<String>, Integer> documentFrequency = new HashMap<>();
    for (List<String> refs : references) {
      List<List<String>> toks = refs.stream().map(CaptionMetrics::tokens).toList();
      refTokens.add(toks);
      Set<List<String>> seen = new HashSet<>();
      for (List<String> ref : toks) {
        for (int n = 1; n <= MAX_N; n++) {
          seen.addAll(ngrams(ref, n).keySet());
        }
      }
      seen.forEach(g -> documentFrequency.merge(g, 1, Integer::sum));
    }
    double logImages = Math.log(images);
    double sum = 0;
    for (int i = 0; i < images; i++) {
      List<String> cand = tokens(candidates.get(i));
      TfIdf hyp = tfIdf(cand, documentFrequency, logImages);
      double score = 0;
      for (List<String> ref : refTokens.get(i)) {
        TfIdf r = tfIdf(ref, documentFrequency, logImages);
        double delta = cand.size() - ref.size();
        double penalty = Math.exp(-(delta * delta) / (2 * CIDER_SIGMA * CIDER_SIGMA));
        for (int n = 0; n < MAX_N; n++) {
          double val = 0;
          for (Map.Entry<List<String>, Double> e : hyp.vectors.get(n).entrySet()) {
            Double rv = r.vectors.get(n).get(e.getKey());
            if (rv != null) {
              val += Math.min(e.getValue(), rv) * rv;
            }
          }
          if (hyp.norms[n] != 0 && r.norms[n] != 0) {
            val /= hyp.norms[n] * r.norms[n];
          }
          score += val * penalty;
        }
      }
      sum += score / MAX_N / refTokens.get(i).size() * 10.0;
    }
    return sum / images;
  }

  private record TfIdf(List<Map<List<String>, Double>> vectors, double[] norms) {}

  private static TfIdf tfIdf(List<String> tokens, Map<List<String>, Integer> df, double logImages) {
    List<Map<List<String>, Double>> vectors = new ArrayList<>();
    double[] norms = new double[MAX_N];
    for (int n = 1; n <= MAX_N; n++) {
      Map<List<String>, Double> vec = new HashMap<>();
      for (Map.Entry<List<String>, Integer> e : ngrams(tokens, n).entrySet()) {
        double idf = logImages - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0)));
        double w = e.getValue() * idf;
        vec.put(e.getKey(), w);
        norms[n - 1] += w * w;
      }
      norms[n - 1] = Math.sqrt(norms[n - 1]);
      vectors.add(vec);
    }
    return new TfIdf(vectors, norms);
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + n <= tokens.size(); i++) {
      counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
    }
    return counts;
  }

  private static int closestLength(int candidateLength, List<List<String>> refs) {
    int best = -1;
    for (List<String> ref : refs) {
      int len = ref.size();
      int d = Math.abs(len - candidateLength);
      if (best < 0 || d < Math.abs(best - candidateLength) || (d == Math.abs(best - candidateLength) && len < best)) {
        best = len;
      }
    }
    return best;
  }

  private static void checkSizes(List<String> candidates, List<List<String>> references) {
    if (candidates.size() != references.size()) {
      throw new IllegalArgumentException(
          candidates.size() + " candidate captions but references for " + references.size() + " images; give one list of references per candidate");
    }
    for (int i = 0; i < references.size(); i++) {
      if (references.get(i).isEmpty()) {
        throw new IllegalArgumentException("image " + i + " has no reference caption; every candidate needs at least one");
      }
    }
  }
}
