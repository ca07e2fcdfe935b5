package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.Augmentation;
import dev.recap.worker.train.Autograd;
import dev.recap.worker.train.ClipModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Zero-shot classification of a dense set's test images by a CLIP ({@link ZeroShotClassifier}:
 * one prompt per class and template, "a photo of a {}." by default, averaged per class).
 *
 * <p>The label of an image is the class, among those listed, that covers most of its pixels in
 * the segmentation map: on the synthetic scenes, listing the object shapes asks "which shape is the
 * largest object in view?" (sky and ground, which cover most of every scene, are left out of the
 * list). Images in which no listed class appears are skipped and counted. Images are resized
 * whole to the run's input size, as for retrieval.
 *
 * @param top1 share of images whose label scores highest
 * @param top5 share whose label is among the 5 best (among all when there are fewer classes)
 * @param images images scored
 * @param skipped images without any listed class
 * @param majority share of images carrying the most frequent label: the accuracy of always
 *     answering that class, the baseline top-1 must beat
 * @param labelCounts images per listed class, in list order
 */
record ZeroShotEvaluation(double top1, double top5, int images, int skipped, double majority, List<Integer> labelCounts) {

  /** OpenAI CLIP's plainest ImageNet template. */
  static final List<String> DEFAULT_TEMPLATES = List.of("a photo of a {}.");

  private static final int BATCH = 64;

  /** Metrics for result.json: {@code top1}, {@code top5}. */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("top1", top1);
    m.put("top5", top5);
    return m;
  }

  /**
   * The index in {@code listed} of the listed class with the most pixels of {@code classMap}
   * ({@code listed[i]} is a class id of the map), the lower index on a tie; -1 when none appears.
   */
  static int largestListedClass(byte[] classMap, int[] listed) {
    int[] pixels = new int[256];
    for (byte b : classMap) {
      pixels[b & 0xFF]++;
    }
    int best = -1;
    for (int i = 0; i < listed.length; i++) {
      int n = pixels[listed[i]];
      if (n > 0 && (best < 0 || n > pixels[listed[best]])) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Scores {@code model} on {@code test}.
   *
   * @param datasetClasses the dense set's class names, by class id
   * @param classes the classes to tell apart, a subset of {@code datasetClasses}
   * @throws IllegalArgumentException naming a listed class the set does not have, or when no
   *     test image shows any listed class
   */
  static ZeroShotEvaluation measure(ClipModel model, TextTokenizer tokenizer, int imageSize, List<Sample> test,
      List<String> datasetClasses, List<String> classes, List<String> templates, NDManager manager) throws Exception {
    int[] ids = new int[classes.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = datasetClasses.indexOf(classes.get(i));
      if (ids[i] < 0) {
        throw new IllegalArgumentException("zeroShot class '" + classes.get(i) + "' is not a class of the dense set; its"
            + " classes are " + datasetClasses);
      }
    }
    List<Sample> labelled = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    int skipped = 0;
    for (Sample s : test) {
      int label = s.classMap() == null ? -1 : largestListedClass(s.classMap(), ids);
      if (label < 0) {
        skipped++;
      } else {
        labelled.add(s);
        labels.add(label);
      }
    }
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException("no test image of the dense set shows any of the zeroShot classes " + classes
          + " (" + skipped + " images without one)");
    }
    List<String> prompts = ZeroShotClassifier.prompts(classes, templates);
    ZeroShotClassifier classifier = new ZeroShotClassifier(embedTexts(model, tokenizer, prompts, manager), classes.size());
    float[][] images = embedImages(model, imageSize, labelled, manager);
    int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
    Map<String, Double> m = classifier.evaluate(images, y);
    int[] counts = new int[classes.size()];
    for (int label : y) {
      counts[label]++;
    }
    int most = 0;
    for (int c : counts) {
      most = Math.max(most, c);
    }
    return new ZeroShotEvaluation(m.get("top1"), m.get("top5"), y.length, skipped, (double) most / y.length,
        java.util.Arrays.stream(counts).boxed().toList());
  }

  private static float[][] embedTexts(ClipModel model, TextTokenizer tokenizer, List<String> prompts, NDManager manager)
      throws Exception {
    List<float[]> out = new ArrayList<>();
    for (int from = 0; from < prompts.size(); from += BATCH) {
      List<String> part = prompts.subList(from, Math.min(prompts.size(), from + BATCH));
      long[][] tokens = part.stream().map(tokenizer::encode).toArray(long[][]::new);
      try (NDManager step = manager.newSubManager()) {
        rows(Autograd.withGradMode(false, () -> model.encodeTexts(new ParameterStore(step, false), step.create(tokens), false)), out);
      }
    }
    return out.toArray(float[][]::new);
  }

  private static float[][] embedImages(ClipModel model, int size, List<Sample> samples, NDManager manager) throws Exception {
    Augmentation resize = Augmentation.resizeOnly(size);
    SplittableRandom unused = new SplittableRandom(0); // resizing without augmentation draws nothing
    int pixels = 3 * size * size;
    List<float[]> out = new ArrayList<>();
    for (int from = 0; from < samples.size(); from += BATCH) {
      List<Sample> part = samples.subList(from, Math.min(samples.size(), from + BATCH));
      float[] input = new float[part.size() * pixels];
      for (int i = 0; i < part.size(); i++) {
        resize.apply(part.get(i), unused, input, i * pixels, null, null, 0);
      }
      try (NDManager step = manager.newSubManager()) {
        NDArray images = step.create(input, new Shape(part.size(), 3, size, size));
        rows(Autograd.withGradMode(false, () -> model.encodeImages(new ParameterStore(step, false), images, false)), out);
      }
    }
    return out.toArray(float[][]::new);
  }

  private static void rows(NDArray matrix, List<float[]> out) {
    float[] flat = matrix.toFloatArray();
    int width = (int) matrix.getShape().get(1);
    for (int r = 0; r < flat.length / width; r++) {
      float[] row = new float[width];
      System.arraycopy(flat, r * width, row, 0, width);
      out.add(row);
    }
  }
}
