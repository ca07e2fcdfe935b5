package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny learnable image-text set and a tiny CLIP on the test fixtures: 8 classes (4 colours x 2
 * sides), image = a coloured square on the left or right of a 16x16 noisy background, caption
 * names colour and side.
 */
final class TinyClip {

  static final int SIZE = 16;
  static final int CLASSES = 8;
  private static final String[] COLORS = {"red", "green", "blue", "yellow"};
  private static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
  private static final String[] SIDES = {"left", "right"};

  static final TextTokenizer TOKENIZER = new BagTextEncoderFixture().tokenizer(PluginConfig.of("context", 8), corpus());

  private TinyClip() {}

  static List<String> corpus() {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < CLASSES; i++) {
      c.add(caption(i));
    }
    return c;
  }

  static String caption(int cls) {
    return "a " + COLORS[cls % 4] + " square on the " + SIDES[cls / 4];
  }

  /** Samples {@code from .. from+count-1} of step {@code step}; sample j has class j % 8. */
  static ClipBatch batch(long step, int from, int count) {
    return batch(step, from, count, 0.2f);
  }

  /** As {@link #batch(long, int, int)} with background noise of standard deviation {@code noise}. */
  static ClipBatch batch(long step, int from, int count, float noise) {
    float[] pixels = new float[count * 3 * SIZE * SIZE];
    long[][] tokens = new long[count][];
    List<String> keys = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int j = from + s;
      int cls = j % CLASSES;
      Random random = new Random(step * 1000 + j);
      int x0 = cls / 4 == 0 ? 1 : SIZE / 2 + 1;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < SIZE; y++) {
          for (int x = 0; x < SIZE; x++) {
            boolean inside = y >= 4 && y < 10 && x >= x0 && x < x0 + 6;
            pixels[((s * 3 + c) * SIZE + y) * SIZE + x] = (inside ? RGB[cls % 4][c] : 0f) + noise * (float) random.nextGaussian();
          }
        }
      }
      tokens[s] = TOKENIZER.encode(caption(cls));
      keys.add("step" + step + "/sample" + j);
    }
    return new ClipBatch(pixels, SIZE, SIZE, tokens, keys);
  }

  /** A fresh model, initialized under {@code seed}, owned by {@code manager}. */
  static ClipModel model(NDManager manager, int seed) {
    synchronized (TinyClip.class) {
      Engine.getInstance().setRandomSeed(seed);
      ClipModel model = new ClipModel(new ConvImageEncoderFixture().build(PluginConfig.of("channels", 8)),
          new BagTextEncoderFixture().build(PluginConfig.of("width", 32), TOKENIZER), 16);
      model.initialize(manager, SIZE, SIZE);
      return model;
    }
  }

  static TrainingOptions options(double lr, long total) {
    return TrainingOptions.clip(new CosineSchedule(lr, 2, total, lr / 10));
  }

  static float[] flatParameters(ClipModel model) {
    List<float[]> parts = new ArrayList<>();
    int n = 0;
    for (var p : model.parameterList()) {
      float[] v = p.getArray().toFloatArray();
      parts.add(v);
      n += v.length;
    }
    float[] out = new float[n];
    int o = 0;
    for (float[] v : parts) {
      System.arraycopy(v, 0, out, o, v.length);
      o += v.length;
    }
    return out;
  }
}
