package dev.recap.worker.train;

import java.util.List;

/**
 * One replica's share of a training batch, on the host: normalized pixels {@code [B, 3, H, W]}
 * row-major, token ids {@code [B, L]}, and the sample keys (named in errors).
 */
public record ClipBatch(float[] pixels, int height, int width, long[][] tokens, List<String> keys) {

  public ClipBatch {
    int b = tokens.length;
    if (b == 0) {
      throw new IllegalArgumentException("empty batch");
    }
    if (pixels.length != (long) b * 3 * height * width) {
      throw new IllegalArgumentException("pixels hold " + pixels.length + " floats, expected " + b + " x 3 x " + height + " x " + width);
    }
    if (keys.size() != b) {
      throw new IllegalArgumentException(keys.size() + " sample keys for " + b + " samples");
    }
    keys = List.copyOf(keys);
  }

  public int size() {
    return tokens.length;
  }
}
