package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.recap.api.data.Sample;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.worker.data.Batch;
import dev.recap.worker.data.BatchLoader;
import dev.recap.worker.data.LoaderOptions;
import dev.recap.worker.data.TarShard;
import dev.recap.worker.train.Autograd;
import dev.recap.worker.train.ClipModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out image-text retrieval of a CLIP model: every pair of the shards (images resized, not
 * augmented; the caption of {@code captionSource}) is embedded, and {@link RetrievalMetrics}
 * ranks them, identical captions counting as the same answer.
 */
public final class ClipRetrieval {

  private ClipRetrieval() {}

  /**
   * @throws IllegalArgumentException if the shards hold no pair with a {@code captionSource} caption
   */
  public static RetrievalMetrics measure(ClipModel model, TextTokenizer tokenizer, List<Path> shards, int imageSize,
      String captionSource, NDManager manager) throws Exception {
    List<float[]> images = new ArrayList<>();
    List<float[]> texts = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    LoaderOptions options = LoaderOptions.builder().batchSize(64).imageSize(imageSize).augment(false)
        .shuffleBuffer(1).captionSource(captionSource).build();
    try (BatchLoader loader = new BatchLoader(shards.stream().map(TarShard::new).toList(), options);
        NDManager scope = manager.newSubManager()) {
      for (Batch next = loader.next(scope); next != null; next = loader.next(scope)) {
        try (Batch batch = next; NDManager step = scope.newSubManager()) {
          long[][] tokens = new long[batch.size()][];
          for (int i = 0; i < tokens.length; i++) {
            tokens[i] = tokenizer.encode(batch.captions().get(i));
          }
          captions.addAll(batch.captions());
          Autograd.withGradMode(false, () -> {
            ParameterStore ps = new ParameterStore(step, false);
            split(model.encodeImages(ps, batch.images(), false), images);
            split(model.encodeTexts(ps, step.create(tokens), false), texts);
            return null;
          });
        }
      }
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no held-out pairs with '" + captionSource + "' captions in " + shards);
    }
    int[] imageOfText = new int[texts.size()];
    for (int i = 0; i < imageOfText.length; i++) {
      imageOfText[i] = i;
    }
    return RetrievalMetrics.fromEmbeddings(images.toArray(float[][]::new), texts.toArray(float[][]::new), imageOfText, captions);
  }

  /** {@link Sample#QUALITY} captions, as the evaluate stage reads held-out pairs. */
  public static RetrievalMetrics measure(ClipModel model, TextTokenizer tokenizer, List<Path> shards, int imageSize,
      NDManager manager) throws Exception {
    return measure(model, tokenizer, shards, imageSize, Sample.QUALITY, manager);
  }

  private static void split(NDArray rows, List<float[]> out) {
    float[] flat = rows.toFloatArray();
    int width = (int) rows.getShape().get(1);
    for (int r = 0; r < flat.length / width; r++) {
      float[] row = new float[width];
      System.arraycopy(flat, r * width, row, 0, width);
      out.add(row);
    }
  }
}
