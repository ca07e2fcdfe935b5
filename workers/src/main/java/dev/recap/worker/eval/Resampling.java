package dev.recap.worker.eval;

import dev.recap.api.data.RgbImage;

/**
 * Resizing of images, label maps and prediction maps, with PyTorch's conventions so that a
 * prediction upsampled here matches {@code F.interpolate} in the field's evaluation code:
 *
 * <ul>
 *   <li>bilinear with {@code align_corners=False}: destination pixel {@code d} reads source
 *       coordinate {@code (d + 0.5) * in / out - 0.5}, clamped at 0, between its two neighbours;
 *   <li>nearest (labels, depth): destination {@code d} reads source {@code floor(d * in / out)}.
 * </ul>
 * Arithmetic is float, as libtorch does it for float tensors.
 */
final class Resampling {

  private Resampling() {}

  /** For each destination index along one axis: the two source indices and the second one's weight. */
  private record Axis(int[] low, int[] high, float[] weight) {
    static Axis linear(int in, int out) {
      int[] low = new int[out];
      int[] high = new int[out];
      float[] weight = new float[out];
      float scale = (float) in / out;
      for (int d = 0; d < out; d++) {
        float src = scale * (d + 0.5f) - 0.5f;
        if (src < 0) {
          src = 0;
        }
        int i = (int) src;
        low[d] = i;
        high[d] = i < in - 1 ? i + 1 : i;
        weight[d] = src - i;
      }
      return new Axis(low, high, weight);
    }
  }

  /** Source index of each destination index, nearest-neighbour. */
  private static int[] nearestAxis(int in, int out) {
    int[] index = new int[out];
    float scale = (float) in / out;
    for (int d = 0; d < out; d++) {
      index[d] = in == out ? d : Math.min((int) Math.floor(d * scale), in - 1);
    }
    return index;
  }

  /** An RGB image resized bilinearly, rounded to the nearest byte. */
  static RgbImage bilinear(RgbImage image, int outWidth, int outHeight) {
    int w = image.width();
    int h = image.height();
    if (w == outWidth && h == outHeight) {
      return image;
    }
    Axis xs = Axis.linear(w, outWidth);
    Axis ys = Axis.linear(h, outHeight);
    byte[] in = image.rgb();
    byte[] out = new byte[outWidth * outHeight * 3];
    for (int y = 0; y < outHeight; y++) {
      int r0 = ys.low[y] * w;
      int r1 = ys.high[y] * w;
      float ly = ys.weight[y];
      for (int x = 0; x < outWidth; x++) {
        int c0 = xs.low[x];
        int c1 = xs.high[x];
        float lx = xs.weight[x];
        for (int c = 0; c < 3; c++) {
          float top = (1 - lx) * (in[(r0 + c0) * 3 + c] & 0xFF) + lx * (in[(r0 + c1) * 3 + c] & 0xFF);
          float bottom = (1 - lx) * (in[(r1 + c0) * 3 + c] & 0xFF) + lx * (in[(r1 + c1) * 3 + c] & 0xFF);
          int v = Math.round((1 - ly) * top + ly * bottom);
          out[(y * outWidth + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return new RgbImage(outWidth, outHeight, out);
  }

  /** A class map resized nearest-neighbour (class ids are never blended). */
  static byte[] nearest(byte[] map, int w, int h, int outWidth, int outHeight) {
    int[] xs = nearestAxis(w, outWidth);
    int[] ys = nearestAxis(h, outHeight);
    byte[] out = new byte[outWidth * outHeight];
    for (int y = 0; y < outHeight; y++) {
      for (int x = 0; x < outWidth; x++) {
        out[y * outWidth + x] = map[ys[y] * w + xs[x]];
      }
    }
    return out;
  }

  /** A depth map resized nearest-neighbour (a missing measurement is never blended into a valid one). */
  static float[] nearest(float[] map, int w, int h, int outWidth, int outHeight) {
    int[] xs = nearestAxis(w, outWidth);
    int[] ys = nearestAxis(h, outHeight);
    float[] out = new float[outWidth * outHeight];
    for (int y = 0; y < outHeight; y++) {
      for (int x = 0; x < outWidth; x++) {
        out[y * outWidth + x] = map[ys[y] * w + xs[x]];
      }
    }
    return out;
  }

  /** One channel ({@code w * h}, row-major) resized bilinearly. */
  static float[] bilinear(float[] plane, int w, int h, int outWidth, int outHeight) {
    Axis xs = Axis.linear(w, outWidth);
    Axis ys = Axis.linear(h, outHeight);
    float[] out = new float[outWidth * outHeight];
    for (int y = 0; y < outHeight; y++) {
      int r0 = ys.low[y] * w;
      int r1 = ys.high[y] * w;
      float ly = ys.weight[y];
      for (int x = 0; x < outWidth; x++) {
        out[y * outWidth + x] = blend(plane, 0, r0, r1, ly, xs.low[x], xs.high[x], xs.weight[x]);
      }
    }
    return out;
  }

  /**
   * The class of the largest logit at every pixel of the logits ({@code channels} planes of
   * {@code w * h}) resized bilinearly to {@code outWidth x outHeight}, without holding the
   * resized logits: what {@code argmax(interpolate(logits, size))} gives. Ties go to the lower
   * class id.
   */
  static int[] argmaxBilinear(float[] logits, int channels, int w, int h, int outWidth, int outHeight) {
    Axis xs = Axis.linear(w, outWidth);
    Axis ys = Axis.linear(h, outHeight);
    int plane = w * h;
    int[] out = new int[outWidth * outHeight];
    // separable: each source row is blended along x once (per class, laid out pixel-major), and
    // reused by every output row that reads it; the sums are the same as blending per pixel
    float[] top = new float[outWidth * channels];
    float[] bottom = new float[outWidth * channels];
    int topRow = -1;
    int bottomRow = -1;
    for (int y = 0; y < outHeight; y++) {
      int r0 = ys.low[y];
      int r1 = ys.high[y];
      if (r0 != topRow) {
        if (r0 == bottomRow) {
          float[] swap = top;
          top = bottom;
          bottom = swap;
          bottomRow = -1;
        } else {
          blendRow(logits, channels, plane, r0 * w, xs, top);
        }
        topRow = r0;
      }
      if (r1 != bottomRow) {
        blendRow(logits, channels, plane, r1 * w, xs, bottom);
        bottomRow = r1;
      }
      float ly = ys.weight[y];
      for (int x = 0; x < outWidth; x++) {
        int base = x * channels;
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
          float v = (1 - ly) * top[base + c] + ly * bottom[base + c];
          if (v > bestValue) {
            bestValue = v;
            best = c;
          }
        }
        out[y * outWidth + x] = best;
      }
    }
    return out;
  }

  /** One source row (starting at {@code rowStart} in every plane) blended along x for every class, pixel-major into {@code out}. */
  private static void blendRow(float[] values, int channels, int plane, int rowStart, Axis xs, float[] out) {
    int outWidth = xs.low.length;
    for (int c = 0; c < channels; c++) {
      int row = c * plane + rowStart;
      for (int x = 0; x < outWidth; x++) {
        float lx = xs.weight[x];
        out[x * channels + c] = (1 - lx) * values[row + xs.low[x]] + lx * values[row + xs.high[x]];
      }
    }
  }

  /** The class of the largest logit at every pixel, at the logits' own size. */
  static int[] argmax(float[] logits, int channels, int plane) {
    int[] out = new int[plane];
    for (int p = 0; p < plane; p++) {
      int best = 0;
      float bestValue = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < channels; c++) {
        float v = logits[c * plane + p];
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      out[p] = best;
    }
    return out;
  }

  private static float blend(float[] values, int offset, int r0, int r1, float ly, int c0, int c1, float lx) {
    float top = (1 - lx) * values[offset + r0 + c0] + lx * values[offset + r0 + c1];
    float bottom = (1 - lx) * values[offset + r1 + c0] + lx * values[offset + r1 + c1];
    return (1 - ly) * top + ly * bottom;
  }
}
