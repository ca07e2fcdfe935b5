package dev.recap.worker.train;

import dev.recap.api.encoder.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny learnable image-text set made from a seed, for gang runs, tests and benchmarks: sample
 * {@code i} is a coloured square (4 colours) on one of 4 quadrants of a noisy background, its
 * caption names colour and place. Each epoch visits every sample once in a seeded permutation;
 * sample keys are {@code epoch-E/sample-NNNNN} so per-epoch accounting can count them.
 */
public final class SyntheticPairs implements GlobalBatches {

  private static final String[] COLORS = {"red", "green", "blue", "yellow"};
  private static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
  private static final String[] PLACES = {"top left", "top right", "bottom left", "bottom right"};

  private final int samples;
  private final int globalBatch;
  private final int size;
  private final TextTokenizer tokenizer;
  private final long seed;

  /**
   * @param samples samples per epoch, a multiple of {@code globalBatch} (no partial steps)
   * @param size image side in pixels, a multiple of 4
   */
  public SyntheticPairs(int samples, int globalBatch, int size, TextTokenizer tokenizer, long seed) {
    if (globalBatch < 1 || samples % globalBatch != 0) {
      throw new IllegalArgumentException("samples (" + samples + ") must be a positive multiple of the global batch ("
          + globalBatch + ") so every epoch has whole steps");
    }
    if (size < 8 || size % 4 != 0) {
      throw new IllegalArgumentException("image size must be a multiple of 4, at least 8, got " + size);
    }
    this.samples = samples;
    this.globalBatch = globalBatch;
    this.size = size;
    this.tokenizer = tokenizer;
    this.seed = seed;
  }

  /** Every caption the set uses (to train a tokenizer on). */
  public static List<String> corpus() {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      c.add(caption(i));
    }
    return c;
  }

  static String caption(int cls) {
    return "a " + COLORS[cls % 4] + " square at the " + PLACES[cls / 4];
  }

  @Override
  public int globalBatch() {
    return globalBatch;
  }

  /** Steps per epoch. */
  public long stepsPerEpoch() {
    return samples / globalBatch;
  }

  @Override
  public ClipBatch rows(long step, int from, int to) {
    long epoch = step / stepsPerEpoch();
    int[] order = permutation(epoch);
    int count = to - from;
    float[] pixels = new float[count * 3 * size * size];
    long[][] tokens = new long[count][];
    List<String> keys = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      int position = (int) ((step % stepsPerEpoch()) * globalBatch + from + s);
      int sample = order[position];
      int cls = sample % 16;
      Random random = new Random(seed * 1_000_003L + sample);
      int half = size / 2;
      int x0 = (cls / 4) % 2 * half + size / 8;
      int y0 = (cls / 4) / 2 * half + size / 8;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            boolean inside = y >= y0 && y < y0 + half - size / 4 && x >= x0 && x < x0 + half - size / 4;
            pixels[((s * 3 + c) * size + y) * size + x] = (inside ? RGB[cls % 4][c] : 0f) + 0.2f * (float) random.nextGaussian();
          }
        }
      }
      tokens[s] = tokenizer.encode(caption(cls));
      keys.add(String.format("epoch-%d/sample-%05d", epoch, sample));
    }
    return new ClipBatch(pixels, size, size, tokens, keys);
  }

  private int[] permutation(long epoch) {
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    Random random = new Random(seed * 31 + epoch);
    for (int i = samples - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
