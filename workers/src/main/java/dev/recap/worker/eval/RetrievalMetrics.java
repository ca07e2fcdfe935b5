package dev.recap.worker.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image-text retrieval recall@K from a similarity matrix, as CLIP papers report it on COCO and
 * Flickr30k: an image may have several captions; image->text counts a hit when any of the
 * image's captions is among the top K texts, text->image when the caption's own image is among
 * the top K images.
 *
 * <p>Ties are broken against the correct answer: a correct candidate's rank is the number of
 * wrong candidates scoring at least as high. So an encoder whose embeddings are all equal gets
 * recall 0 (only K candidates fit in the top K), not a lucky score from list order.
 *
 * @param imageToText recall@K for K = 1, 5, 10 (fractions), image queries
 * @param textToImage recall@K for K = 1, 5, 10, text queries
 */
public record RetrievalMetrics(List<Double> imageToText, List<Double> textToImage) {

  public RetrievalMetrics {
    imageToText = List.copyOf(imageToText);
    textToImage = List.copyOf(textToImage);
  }

  /** The K of recall@K, in the order of the arrays. */
  public static final int[] KS = {1, 5, 10};

  /**
   * Recall from similarities.
   *
   * @param similarity {@code [images][texts]} scores, higher is closer
   * @param imageOfText for each text (column), the index of its image (row)
   */
  public static RetrievalMetrics fromSimilarity(float[][] similarity, int[] imageOfText) {
    int images = similarity.length;
    if (images == 0) {
      throw new IllegalArgumentException("retrieval needs at least one image");
    }
    int texts = imageOfText.length;
    for (int i = 0; i < images; i++) {
      if (similarity[i].length != texts) {
        throw new IllegalArgumentException("similarity row " + i + " has " + similarity[i].length
            + " columns but imageOfText names " + texts + " texts");
      }
    }
    boolean[] hasText = new boolean[images];
    for (int t = 0; t < texts; t++) {
      if (imageOfText[t] < 0 || imageOfText[t] >= images) {
        throw new IllegalArgumentException("text " + t + " belongs to image " + imageOfText[t] + ", outside [0, " + images + ")");
      }
      hasText[imageOfText[t]] = true;
    }
    // image -> text: the rank of the image's best caption among all texts
    int[] imageRanks = new int[images];
    int queries = 0;
    for (int i = 0; i < images; i++) {
      if (!hasText[i]) {
        imageRanks[i] = -1;
        continue;
      }
      queries++;
      float best = Float.NEGATIVE_INFINITY;
      for (int t = 0; t < texts; t++) {
        if (imageOfText[t] == i) {
          best = Math.max(best, similarity[i][t]);
        }
      }
      int rank = 0;
      for (int t = 0; t < texts; t++) {
        if (imageOfText[t] != i && similarity[i][t] >= best) {
          rank++;
        }
      }
      imageRanks[i] = rank;
    }
    // text -> image: the rank of the caption's image among all images
    int[] textRanks = new int[texts];
    for (int t = 0; t < texts; t++) {
      float correct = similarity[imageOfText[t]][t];
      int rank = 0;
      for (int i = 0; i < images; i++) {
        if (i != imageOfText[t] && similarity[i][t] >= correct) {
          rank++;
        }
      }
      textRanks[t] = rank;
    }
    List<Double> i2t = new ArrayList<>();
    List<Double> t2i = new ArrayList<>();
    for (int k : KS) {
      i2t.add((double) Arrays.stream(imageRanks).filter(r -> r >= 0 && r < k).count() / queries);
      t2i.add(texts == 0 ? Double.NaN : (double) Arrays.stream(textRanks).filter(r -> r < k).count() / texts);
    }
    return new RetrievalMetrics(i2t, t2i);
  }

  /** Recall from embeddings, compared by cosine similarity (both sides L2-normalized here). */
  public static RetrievalMetrics fromEmbeddings(float[][] imageEmbeddings, float[][] textEmbeddings, int[] imageOfText) {
    if (textEmbeddings.length != imageOfText.length) {
      throw new IllegalArgumentException(
          textEmbeddings.length + " text embeddings but imageOfText has " + imageOfText.length + " entries");
    }
    return fromSimilarity(Embeddings.cosineSimilarity(imageEmbeddings, textEmbeddings), imageOfText);
  }

  /** {@code i2t_R@1, i2t_R@5, i2t_R@10, t2i_R@1, ...} as fractions in [0, 1]. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int k = 0; k < KS.length; k++) {
      m.put("i2t_R@" + KS[k], imageToText.get(k));
    }
    for (int k = 0; k < KS.length; k++) {
      m.put("t2i_R@" + KS[k], textToImage.get(k));
    }
    return m;
  }
}
