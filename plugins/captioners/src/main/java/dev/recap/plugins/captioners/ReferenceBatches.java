package dev.recap.plugins.captioners;

import dev.recap.api.caption.CaptionRequest;
import java.util.List;
import java.util.Random;

/**
 * Training batches drawn from reference captions: every reference once per pass in a seeded
 * random order, a new order for each pass. Images are resized once, tokens encoded once.
 */
final class ReferenceBatches {

  /** One batch: images {@code [B, 3, S, S]} flat, and for each caption its input tokens and the next-token targets. */
  record Batch(float[] images, long[] input, long[] target) {}

  private final int imageSize;
  private final int inputLength;
  private final int pixels;
  private final float[] images;
  private final long[][] tokens;
  private final Random random;
  private int[] order;
  private int cursor;

  ReferenceBatches(List<CaptionRequest> references, WordVocabulary vocabulary, LearnedArchitecture architecture, long seed) {
    this.imageSize = architecture.imageSize();
    this.inputLength = architecture.inputLength();
    this.pixels = 3 * imageSize * imageSize;
    int n = references.size();
    this.images = new float[n * pixels];
    this.tokens = new long[n][];
    for (int i = 0; i < n; i++) {
      ImagePixels.writeChw(references.get(i).image(), imageSize, images, i * pixels);
      tokens[i] = vocabulary.encode(references.get(i).sourceCaption(), architecture.maxLength());
    }
    this.random = new Random(seed);
    this.order = permutation(n, random);
  }

  /** The next {@code batchSize} references, starting a new pass when this one is used up. */
  Batch next(int batchSize) {
    int n = tokens.length;
    float[] batchImages = new float[batchSize * pixels];
    long[] input = new long[batchSize * inputLength];
    long[] target = new long[batchSize * inputLength];
    for (int b = 0; b < batchSize; b++) {
      if (cursor == n) {
        order = permutation(n, random);
        cursor = 0;
      }
      int i = order[cursor++];
      System.arraycopy(images, i * pixels, batchImages, b * pixels, pixels);
      System.arraycopy(tokens[i], 0, input, b * inputLength, inputLength);
      System.arraycopy(tokens[i], 1, target, b * inputLength, inputLength);
    }
    return new Batch(batchImages, input, target);
  }

  private static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
