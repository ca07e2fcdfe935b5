package dev.recap.worker.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLIP-style zero-shot classification: each class's weight vector is the mean of its prompts'
 * L2-normalized text embeddings (one prompt per template, "a photo of a {}."), normalized again;
 * an image is assigned the class of highest cosine similarity. This is the prompt ensembling of
 * Radford et al. (2021).
 *
 * <p>Build the prompts with {@link #prompts}, encode them with the text tower in that order, and
 * hand the embeddings to the constructor.
 */
public final class ZeroShotClassifier {

  /** The placeholder a template's class name replaces. */
  public static final String PLACEHOLDER = "{}";

  private final float[][] classWeights;

  /**
   * The prompts, class-major: all templates of class 0, then class 1, and so on.
   *
   * @throws IllegalArgumentException naming a template without the {@code {}} placeholder
   */
  public static List<String> prompts(List<String> classNames, List<String> templates) {
    if (classNames.isEmpty() || templates.isEmpty()) {
      throw new IllegalArgumentException("zero-shot needs at least one class name and one template");
    }
    for (String t : templates) {
      if (!t.contains(PLACEHOLDER)) {
        throw new IllegalArgumentException("zero-shot template '" + t + "' has no " + PLACEHOLDER + " placeholder for the class name");
      }
    }
    List<String> out = new ArrayList<>(classNames.size() * templates.size());
    for (String c : classNames) {
      for (String t : templates) {
        out.add(t.replace(PLACEHOLDER, c));
      }
    }
    return out;
  }

  /**
   * @param promptEmbeddings text embeddings of {@link #prompts}, in that order
   * @param numClasses number of classes; the row count must be a multiple of it
   */
  public ZeroShotClassifier(float[][] promptEmbeddings, int numClasses) {
    if (numClasses <= 0 || promptEmbeddings.length == 0 || promptEmbeddings.length % numClasses != 0) {
      throw new IllegalArgumentException(promptEmbeddings.length + " prompt embeddings do not split evenly into "
          + numClasses + " classes (expected classes x templates rows, class-major)");
    }
    int templates = promptEmbeddings.length / numClasses;
    int width = promptEmbeddings[0].length;
    classWeights = new float[numClasses][];
    for (int c = 0; c < numClasses; c++) {
      float[] mean = new float[width];
      for (int t = 0; t < templates; t++) {
        float[] e = Embeddings.normalized(promptEmbeddings[c * templates + t]);
        if (e.length != width) {
          throw new IllegalArgumentException("prompt embedding " + (c * templates + t) + " has width " + e.length + ", expected " + width);
        }
        for (int i = 0; i < width; i++) {
          mean[i] += e[i] / templates;
        }
      }
      classWeights[c] = Embeddings.normalized(mean);
    }
  }

  public int numClasses() {
    return classWeights.length;
  }

  /** Cosine similarity of each image to each class, {@code [images][classes]}. */
  public float[][] scores(float[][] imageEmbeddings) {
    return Embeddings.cosineSimilarity(imageEmbeddings, classWeights);
  }

  /** The predicted class of each image (lowest class id on a tie). */
  public int[] predict(float[][] imageEmbeddings) {
    float[][] s = scores(imageEmbeddings);
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      int best = 0;
      for (int c = 1; c < s[i].length; c++) {
        if (s[i][c] > s[i][best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /**
   * Top-1 and top-5 accuracy ({@code top1}, {@code top5}; top-5 is top-K when
   * there are fewer than 5 classes). Ties are broken against the true class, as in
   * {@link RetrievalMetrics}.
   */
  public Map<String, Double> evaluate(float[][] imageEmbeddings, int[] labels) {
    if (imageEmbeddings.length != labels.length || labels.length == 0) {
      throw new IllegalArgumentException(imageEmbeddings.length + " images but " + labels.length + " labels");
    }
    float[][] s = scores(imageEmbeddings);
    int top1 = 0;
    int top5 = 0;
    for (int i = 0; i < s.length; i++) {
      int label = labels[i];
      if (label < 0 || label >= classWeights.length) {
        throw new IllegalArgumentException("label " + label + " of image " + i + " is outside [0, " + classWeights.length + ")");
      }
      int rank = 0;
      for (int c = 0; c < s[i].length; c++) {
        if (c != label && s[i][c] >= s[i][label]) {
          rank++;
        }
      }
      top1 += rank < 1 ? 1 : 0;
      top5 += rank < 5 ? 1 : 0;
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("top1", (double) top1 / labels.length);
    m.put("top5", (double) top5 / labels.length);
    return m;
  }
}
