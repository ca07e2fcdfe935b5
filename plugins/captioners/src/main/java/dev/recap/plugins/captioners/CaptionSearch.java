package dev.recap.plugins.captioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a trained network's next-token logits into token sequences: greedy (the most likely word
 * at each step, for a whole batch at once) or beam search (per image, the best finished hypothesis
 * by mean token log-probability). Every sequence starts with {@link WordVocabulary#START}.
 */
final class CaptionSearch {

  private final ImageCaptionModel network;
  private final int maxLength;
  private final int vocabularySize;
  /** 0 for greedy decoding. */
  private final int beamWidth;

  private CaptionSearch(ImageCaptionModel network, int maxLength, int vocabularySize, int beamWidth) {
    this.network = network;
    this.maxLength = maxLength;
    this.vocabularySize = vocabularySize;
    this.beamWidth = beamWidth;
  }

  static CaptionSearch greedy(ImageCaptionModel network, int maxLength, int vocabularySize) {
    return new CaptionSearch(network, maxLength, vocabularySize, 0);
  }

  static CaptionSearch beam(ImageCaptionModel network, int maxLength, int vocabularySize, int beamWidth) {
    return new CaptionSearch(network, maxLength, vocabularySize, beamWidth);
  }

  /** One token sequence per image of {@code prefix} (batch size {@code b}), arrays owned by {@code m}. */
  List<long[]> decode(ParameterStore ps, NDManager m, CaptionDecoder.ImagePrefix prefix, int b) {
    return beamWidth > 0 ? beamSearch(ps, m, prefix, b) : greedy(ps, m, prefix, b);
  }

  private List<long[]> greedy(ParameterStore ps, NDManager m, CaptionDecoder.ImagePrefix prefix, int b) {
    long[][] seqs = new long[b][maxLength];
    boolean[] done = new boolean[b];
    int length = 1;
    for (long[] s : seqs) {
      s[0] = WordVocabulary.START;
    }
    while (length < maxLength) {
      long[] flat = new long[b * length];
      for (int i = 0; i < b; i++) {
        System.arraycopy(seqs[i], 0, flat, i * length, length);
      }
      NDArray logits = network.decode(ps, prefix, m.create(flat, new Shape(b, length)));
      long[] next = logits.get(":, -1, :").argMax(-1).toLongArray();
      boolean all = true;
      for (int i = 0; i < b; i++) {
        seqs[i][length] = done[i] ? WordVocabulary.PAD : next[i];
        done[i] |= next[i] == WordVocabulary.END;
        all &= done[i];
      }
      length++;
      if (all) {
        break;
      }
    }
    List<long[]> out = new ArrayList<>();
    for (long[] s : seqs) {
      out.add(Arrays.copyOf(s, length));
    }
    return out;
  }

  private record Hypothesis(long[] tokens, double logProb, boolean finished) {
    double normalized() {
      return logProb / (tokens.length - 1);
    }
  }

  private List<long[]> beamSearch(ParameterStore ps, NDManager m, CaptionDecoder.ImagePrefix prefix, int b) {
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      CaptionDecoder.ImagePrefix own = prefix.slice(i);
      List<Hypothesis> live = List.of(new Hypothesis(new long[] {WordVocabulary.START}, 0, false));
      List<Hypothesis> finished = new ArrayList<>();
      for (int length = 1; length < maxLength && !live.isEmpty() && finished.size() < beamWidth; length++) {
        int k = live.size();
        long[] flat = new long[k * length];
        for (int h = 0; h < k; h++) {
          System.arraycopy(live.get(h).tokens, 0, flat, h * length, length);
        }
        float[] logp = network.decode(ps, own.repeat(k), m.create(flat, new Shape(k, length)))
            .get(":, -1, :").logSoftmax(-1).toFloatArray();
        List<Hypothesis> candidates = new ArrayList<>();
        for (int h = 0; h < k; h++) {
          for (int v = WordVocabulary.END; v < vocabularySize; v++) {
            if (v == WordVocabulary.UNKNOWN) {
              continue;
            }
            long[] t = Arrays.copyOf(live.get(h).tokens, length + 1);
            t[length] = v;
            candidates.add(new Hypothesis(t, live.get(h).logProb + logp[h * vocabularySize + v],
                v == WordVocabulary.END || length + 1 == maxLength));
          }
        }
        candidates.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed().thenComparing(hy -> Arrays.toString(hy.tokens)));
        List<Hypothesis> next = new ArrayList<>();
        for (Hypothesis c : candidates.subList(0, Math.min(beamWidth, candidates.size()))) {
          (c.finished ? finished : next).add(c);
        }
        live = next;
      }
      finished.addAll(live);
      Hypothesis best = finished.stream().max(Comparator.comparingDouble(Hypothesis::normalized)).orElseThrow();
      out.add(best.tokens);
    }
    return out;
  }
}
