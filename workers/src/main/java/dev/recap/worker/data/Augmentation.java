package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.util.SplittableRandom;

/**
 * Turns a decoded sample of any size and aspect into network input the way OpenCLIP's transforms
 * do: when training, a random resized crop (torchvision's RandomResizedCrop, aspect 3/4 to 4/3,
 * a centred crop of the largest such window when no draw fits) and, if the {@link AugmentPolicy}
 * says so, a horizontal flip; without augmentation the shorter side is resized to {@code size}
 * and the centre cut out (Resize + CenterCrop). The window is resampled to {@code size x size}
 * bilinearly, or by averaging each output pixel's footprint when it shrinks by 2x or more (a
 * 2560 px photo sampled bilinearly at 64 px would alias), and normalized with CLIP's mean and std
 * into CHW floats. Dense targets get the identical crop and flip with nearest-neighbour sampling,
 * so a class id or depth value is never blended.
 */
public final class Augmentation {

  /** CLIP's per-channel mean (RGB, in [0, 1]). */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  /** CLIP's per-channel standard deviation. */
  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private final int size;
  private final boolean augment;
  private final double minScale;
  private final boolean flip;

  /**
   * @param size output edge in pixels
   * @param augment whether to augment at random (training) or only resize (evaluation)
   * @param policy the crop scale and whether to flip, when augmenting
   */
  public Augmentation(int size, boolean augment, AugmentPolicy policy) {
    if (size <= 0) {
      throw new IllegalArgumentException("need size > 0, got " + size);
    }
    this.size = size;
    this.augment = augment;
    this.minScale = policy.minScale();
    this.flip = policy.flip();
  }

  /** OpenCLIP's test transform (shorter side to {@code size}, centre crop), for evaluation and scoring. */
  public static Augmentation resizeOnly(int size) {
    return new Augmentation(size, false, AugmentPolicy.openClip());
  }

  public int size() {
    return size;
  }

  /** The crop window and flip chosen for a sample. */
  record Window(double x0, double y0, double w, double h, boolean flip) {}

  Window window(int width, int height, SplittableRandom rnd) {
    if (!augment) {
      double side = Math.min(width, height);
      return new Window((width - side) / 2, (height - side) / 2, side, side, false);
    }
    // the flip is drawn even when off, so the crops of a seed do not change with the flip setting
    boolean mirrored = rnd.nextBoolean() && flip;
    double area = (double) width * height;
    for (int attempt = 0; attempt < 10; attempt++) {
      double scale = minScale + (1 - minScale) * rnd.nextDouble();
      double logRatio = Math.log(3.0 / 4) + (Math.log(4.0 / 3) - Math.log(3.0 / 4)) * rnd.nextDouble();
      double ratio = Math.exp(logRatio);
      double w = Math.sqrt(scale * area * ratio);
      double h = Math.sqrt(scale * area / ratio);
      if (w <= width && h <= height) {
        return new Window(rnd.nextDouble() * (width - w), rnd.nextDouble() * (height - h), w, h, mirrored);
      }
    }
    // torchvision's fallback: the whole image, narrowed to the nearest allowed aspect, centred
    double ratio = (double) width / height;
    double w = width;
    double h = height;
    if (ratio < 3.0 / 4) {
      h = Math.round(width / (3.0 / 4));
    } else if (ratio > 4.0 / 3) {
      w = Math.round(height * (4.0 / 3));
    }
    return new Window((width - w) / 2, (height - h) / 2, w, h, mirrored);
  }

  /**
   * Writes the sample's image into {@code image} at {@code [offset, offset + 3*size*size)} (CHW)
   * and its targets into {@code classes} / {@code depth} at {@code [targetOffset, +size*size)};
   * pass null for targets not wanted. Classes absent from a sample become 255 (ignore), absent
   * depth 0 (invalid).
   */
  public void apply(Sample s, SplittableRandom rnd, float[] image, int offset, int[] classes, float[] depth,
      int targetOffset) {
    int w = s.image().width();
    int h = s.image().height();
    Window win = window(w, h, rnd);
    byte[] rgb = s.image().rgb();
    int plane = size * size;
    double sx = win.w() / size;
    double sy = win.h() / size;
    float[] scale = new float[3];
    float[] shift = new float[3];
    for (int c = 0; c < 3; c++) {
      scale[c] = 1f / (255f * CLIP_STD[c]);
      shift[c] = CLIP_MEAN[c] / CLIP_STD[c];
    }
    boolean shrink = sx >= 2 || sy >= 2;
    for (int oy = 0; oy < size; oy++) {
      double fy = win.y0() + (oy + 0.5) * sy - 0.5;
      int y0 = clamp((int) Math.floor(fy), h);
      int y1 = clamp(y0 + 1, h);
      float ty = (float) (fy - Math.floor(fy));
      if (fy < 0) {
        ty = 0;
      }
      int ny = clamp((int) Math.floor(win.y0() + (oy + 0.5) * sy), h);
      int top0 = clamp((int) Math.floor(win.y0() + oy * sy), h);
      int top1 = Math.max(top0 + 1, Math.min(h, (int) Math.ceil(win.y0() + (oy + 1) * sy)));
      for (int ox = 0; ox < size; ox++) {
        int dx = win.flip() ? size - 1 - ox : ox;
        int out = oy * size + dx;
        if (shrink) {
          int left0 = clamp((int) Math.floor(win.x0() + ox * sx), w);
          int left1 = Math.max(left0 + 1, Math.min(w, (int) Math.ceil(win.x0() + (ox + 1) * sx)));
          long r = 0;
          long g = 0;
          long b = 0;
          for (int y = top0; y < top1; y++) {
            for (int p = (y * w + left0) * 3, end = (y * w + left1) * 3; p < end; p += 3) {
              r += rgb[p] & 0xFF;
              g += rgb[p + 1] & 0xFF;
              b += rgb[p + 2] & 0xFF;
            }
          }
          float n = (float) (top1 - top0) * (left1 - left0);
          image[offset + out] = r / n * scale[0] - shift[0];
          image[offset + plane + out] = g / n * scale[1] - shift[1];
          image[offset + 2 * plane + out] = b / n * scale[2] - shift[2];
        } else {
          double fx = win.x0() + (ox + 0.5) * sx - 0.5;
          int x0 = clamp((int) Math.floor(fx), w);
          int x1 = clamp(x0 + 1, w);
          float tx = fx < 0 ? 0 : (float) (fx - Math.floor(fx));
          int p00 = (y0 * w + x0) * 3;
          int p01 = (y0 * w + x1) * 3;
          int p10 = (y1 * w + x0) * 3;
          int p11 = (y1 * w + x1) * 3;
          for (int c = 0; c < 3; c++) {
            float top = (rgb[p00 + c] & 0xFF) * (1 - tx) + (rgb[p01 + c] & 0xFF) * tx;
            float bottom = (rgb[p10 + c] & 0xFF) * (1 - tx) + (rgb[p11 + c] & 0xFF) * tx;
            image[offset + c * plane + out] = (top * (1 - ty) + bottom * ty) * scale[c] - shift[c];
          }
        }
        if (classes != null || depth != null) {
          int nx = clamp((int) Math.floor(win.x0() + (ox + 0.5) * sx), w);
          int src = ny * w + nx;
          if (classes != null) {
            classes[targetOffset + out] = s.classMap() == null ? 255 : s.classMap()[src] & 0xFF;
          }
          if (depth != null) {
            depth[targetOffset + out] = s.depthMetres() == null ? 0f : s.depthMetres()[src];
          }
        }
      }
    }
  }

  private static int clamp(int v, int n) {
    return v < 0 ? 0 : Math.min(v, n - 1);
  }
}
