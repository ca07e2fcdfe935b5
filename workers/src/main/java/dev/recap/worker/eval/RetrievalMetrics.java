package dev.recap.worker.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image-text retrieval recall@K from a similarity matrix, as CLIP papers report it on COCO and
 * Flickr30k: an image may have several captions; image->text counts a hit when any of the
 * image's captions is among the top K texts, text->image when the caption's own image is among
 * the top K images.
 *
 * <p>Captions that repeat word for word (synthetic scenes are often described identically) are
 * one answer: retrieving another image's caption that reads exactly like the image's own is a
 * hit, and so is retrieving another image that carries exactly the query caption. Otherwise
 * recall would punish the model for a choice no text could make. {@link #uniqueTexts()} says how
 * many distinct captions there were.
 *
 * <p>Ties are broken against the correct answer: a correct candidate's rank is the number of
 * wrong candidates scoring at least as high. So an encoder whose embeddings are all equal gets
 * recall 0 (only K candidates fit in the top K), not a lucky score from list order.
 *
 * @param imageToText recall@K for K = 1, 5, 10 (fractions), image queries
 * @param textToImage recall@K for K = 1, 5, 10, text queries
 * @param texts number of texts (captions)
 * @param uniqueTexts number of distinct captions among them
 */
public record RetrievalMetrics(List<Double> imageToText, List<Double> textToImage, int texts, int uniqueTexts) {

  public RetrievalMetrics {
    imageToText = List.copyOf(imageToText);
    textToImage = List.copyOf(textToImage);
  }

  /** The K of recall@K, in the order of the arrays. */
  public static final int[] KS = {1, 5, 10};

  /**
   * Recall from similarities, every text a distinct caption.
   *
   * @param similarity {@code [images][texts]} scores, higher is closer
   * @param imageOfText for each text (column), the index of its image (row)
   */
  public static RetrievalMetrics fromSimilarity(float[][] similarity, int[] imageOfText) {
    int[] distinct = new int[imageOfText.length];
    Arrays.setAll(distinct, t -> t);
    return fromSimilarity(similarity, imageOfText, distinct);
  }

  /**
   * Recall from similarities, identical captions counting as the same answer.
   *
   * @param captions each text's caption, compared exactly
   */
  public static RetrievalMetrics fromSimilarity(float[][] similarity, int[] imageOfText, List<String> captions) {
    if (captions.size() != imageOfText.length) {
      throw new IllegalArgumentException(captions.size() + " captions but imageOfText has " + imageOfText.length + " entries");
    }
    Map<String, Integer> ids = new HashMap<>();
    int[] caption = new int[captions.size()];
    for (int t = 0; t < caption.length; t++) {
      caption[t] = ids.computeIfAbsent(captions.get(t), c -> ids.size());
    }
    return fromSimilarity(similarity, imageOfText, caption);
  }

  /** {@code caption[t]}: an id per distinct caption text. */
  private static RetrievalMetrics fromSimilarity(float[][] similarity, int[] imageOfText, int[] caption) {
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
    int distinct = 0;
    for (int t = 0; t < texts; t++) {
      if (imageOfText[t] < 0 || imageOfText[t] >= images) {
        throw new IllegalArgumentException("text " + t + " belongs to image " + imageOfText[t] + ", outside [0, " + images + ")");
      }
      distinct = Math.max(distinct, caption[t] + 1);
    }
    // which captions each image carries: a text is a right answer for an image carrying its caption
    boolean[][] carries = new boolean[images][distinct];
    for (int t = 0; t < texts; t++) {
      carries[imageOfText[t]][caption[t]] = true;
    }
    // image -> text: the rank of the best right text among all texts
    int[] imageRanks = new int[images];
    int queries = 0;
    for (int i = 0; i < images; i++) {
      float best = Float.NEGATIVE_INFINITY;
      boolean any = false;
      for (int t = 0; t < texts; t++) {
        if (carries[i][caption[t]]) {
          best = Math.max(best, similarity[i][t]);
          any |= imageOfText[t] == i;
        }
      }
      if (!any) {
        imageRanks[i] = -1;
        continue;
      }
      queries++;
      int rank = 0;
      for (int t = 0; t < texts; t++) {
        if (!carries[i][caption[t]] && similarity[i][t] >= best) {
          rank++;
        }
      }
      imageRanks[i] = rank;
    }
    // text -> image: the rank of the best image carrying the caption among all images
    int[] textRanks = new int[texts];
    for (int t = 0; t < texts; t++) {
      float best = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < images; i++) {
        if (carries[i][caption[t]]) {
          best = Math.max(best, similarity[i][t]);
        }
      }
      int rank = 0;
      for (int i = 0; i < images; i++) {
        if (!carries[i][caption[t]] && similarity[i][t] >= best) {
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
    return new RetrievalMetrics(i2t, t2i, texts, distinct);
  }

  /** Recall from embeddings, compared by cosine similarity (both sides L2-normalized here). */
  public static RetrievalMetrics fromEmbeddings(float[][] imageEmbeddings, float[][] textEmbeddings, int[] imageOfText) {
    return fromEmbeddings(imageEmbeddings, textEmbeddings, imageOfText, null);
  }

  /**
   * Recall from embeddings, identical captions counting as the same answer.
   *
   * @param captions each text's caption, or null when every text is distinct
   */
  public static RetrievalMetrics fromEmbeddings(float[][] imageEmbeddings, float[][] textEmbeddings, int[] imageOfText,
      List<String> captions) {
    if (textEmbeddings.length != imageOfText.length) {
      throw new IllegalArgumentException(
          textEmbeddings.length + " text embeddings but imageOfText has " + imageOfText.length + " entries");
    }
    float[][] similarity = Embeddings.cosineSimilarity(imageEmbeddings, textEmbeddings);
    return captions == null ? fromSimilarity(similarity, imageOfText) : fromSimilarity(similarity, imageOfText, captions);
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
