package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {

  @Test
  void handComputedRanksWithTwoCaptionsForOneImageAndATie() {
    int[] imageOfText = {0, 0, 1, 2};
    float[][] sim = {
      {0.9f, 0.1f, 0.5f, 0.2f}, // image 0: best own caption 0.9, nothing wrong above -> rank 0
      {0.3f, 0.8f, 0.4f, 0.1f}, // image 1: own 0.4, text 1 (0.8) above -> rank 1
      {0.7f, 0.2f, 0.6f, 0.7f}, // image 2: own 0.7 tied with text 0 -> tie goes against -> rank 1
    };
    RetrievalMetrics r = RetrievalMetrics.fromSimilarity(sim, imageOfText);
    assertEquals(List.of(1.0 / 3, 1.0, 1.0), r.imageToText());
    // text 0: rank 0; text 1: 0.1 below 0.8 and 0.2 -> rank 2; text 2: 0.4 below 0.5, 0.6 -> 2; text 3: 0
    assertEquals(List.of(0.5, 1.0, 1.0), r.textToImage());
    Map<String, Double> m = r.metrics();
    assertEquals(1.0 / 3, m.get("i2t_R@1"), 0.0);
    assertEquals(0.5, m.get("t2i_R@1"), 0.0);
    assertEquals(1.0, m.get("t2i_R@10"), 0.0);
  }

  @Test
  void identicalEmbeddingsScoreZeroNotListOrderLuck() {
    int n = 12;
    float[][] images = new float[n][];
    float[][] texts = new float[n][];
    int[] imageOfText = new int[n];
    for (int i = 0; i < n; i++) {
      images[i] = new float[] {1, 1};
      texts[i] = new float[] {2, 2};
      imageOfText[i] = i;
    }
    RetrievalMetrics r = RetrievalMetrics.fromEmbeddings(images, texts, imageOfText);
    assertEquals(List.of(0.0, 0.0, 0.0), r.imageToText());
    assertEquals(List.of(0.0, 0.0, 0.0), r.textToImage());
  }

  @Test
  void matchedEmbeddingsAreFoundAtRankOneWhateverTheirNorm() {
    float[][] images = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    float[][] texts = {{0, 0, 5}, {3, 0.1f, 0}, {0.1f, 2, 0}};
    RetrievalMetrics r = RetrievalMetrics.fromEmbeddings(images, texts, new int[] {2, 0, 1});
    assertEquals(List.of(1.0, 1.0, 1.0), r.imageToText());
    assertEquals(List.of(1.0, 1.0, 1.0), r.textToImage());
  }

  @Test
  void retrievingACaptionIdenticalToTheTrueOneIsAHit() {
    // images 0 and 1 are both "a red cube on the left"; image 2 is "a blue ring"
    List<String> captions = List.of("a red cube on the left", "a red cube on the left", "a blue ring");
    int[] imageOfText = {0, 1, 2};
    float[][] sim = {
      {0.2f, 0.9f, 0.1f}, // image 0 ranks image 1's (identical) caption first: a hit at R@1
      {0.8f, 0.7f, 0.75f}, // image 1: the identical caption 0 is best: a hit
      {0.6f, 0.5f, 0.4f}, // image 2: two wrong captions above its own: rank 2
    };
    RetrievalMetrics same = RetrievalMetrics.fromSimilarity(sim, imageOfText, captions);
    assertEquals(List.of(2.0 / 3, 1.0, 1.0), same.imageToText());
    // text 0 finds image 1 (0.8, carries the same caption): hit; text 1 finds image 0 (0.9): hit;
    // text 2: images 0 (0.1) and 1 (0.75) vs its own 0.4 -> rank 1
    assertEquals(List.of(2.0 / 3, 1.0, 1.0), same.textToImage());
    assertEquals(3, same.texts());
    assertEquals(2, same.uniqueTexts());

    // without the captions every text is its own answer: the same scores miss at R@1
    RetrievalMetrics distinct = RetrievalMetrics.fromSimilarity(sim, imageOfText);
    assertEquals(0.0, distinct.imageToText().get(0), 0.0);
    assertEquals(0.0, distinct.textToImage().get(0), 0.0);
    assertEquals(3, distinct.uniqueTexts());
  }

  @Test
  void rejectsATextPointingAtNoImage() {
    assertThrows(IllegalArgumentException.class,
        () -> RetrievalMetrics.fromSimilarity(new float[][] {{1f}}, new int[] {3}));
  }
}
