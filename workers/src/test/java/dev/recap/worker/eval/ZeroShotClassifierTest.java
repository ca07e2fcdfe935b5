package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZeroShotClassifierTest {

  @Test
  void promptsAreClassMajor() {
    assertEquals(List.of("a cat", "the cat.", "a dog", "the dog."),
        ZeroShotClassifier.prompts(List.of("cat", "dog"), List.of("a {}", "the {}.")));
    assertThrows(IllegalArgumentException.class,
        () -> ZeroShotClassifier.prompts(List.of("cat"), List.of("no placeholder")));
  }

  @Test
  void averagesNormalizedTemplateEmbeddingsPerClass() {
    float[][] prompts = {
      {1, 0}, {0.6f, 0.8f}, // class 0: mean of unit vectors (0.8, 0.4) -> (0.894, 0.447)
      {0, 2}, {0, 1}, // class 1: both normalize to (0, 1)
    };
    ZeroShotClassifier zs = new ZeroShotClassifier(prompts, 2);
    float[][] images = {{1, 0}, {0, 1}, {1, 1}};
    // (1, 1): 0.707 * (0.894 + 0.447) = 0.948 for class 0 against 0.707 for class 1
    assertArrayEquals(new int[] {0, 1, 0}, zs.predict(images));
    Map<String, Double> m = zs.evaluate(images, new int[] {0, 1, 1});
    assertEquals(2.0 / 3, m.get("top1"), 0.0);
    assertEquals(1.0, m.get("top5"), 0.0);
    float[][] s = zs.scores(new float[][] {{1, 0}});
    assertEquals(2 / Math.sqrt(5), s[0][0], 1e-6);
  }

  @Test
  void rowsMustSplitIntoClasses() {
    assertThrows(IllegalArgumentException.class, () -> new ZeroShotClassifier(new float[][] {{1}, {1}, {1}}, 2));
  }
}
