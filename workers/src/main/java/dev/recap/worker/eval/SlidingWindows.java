package dev.recap.worker.eval;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How images of any size meet an encoder that works at one input size {@code S} (the size it was
 * pretrained at), following mmsegmentation's ADE20k recipe for ViTs:
 *
 * <ul>
 *   <li>every image is first scaled so its shorter side is {@code S} (image bilinear, labels and
 *       depth nearest; sides rounded as mmcv does, {@code int(side * scale + 0.5)});
 *   <li>training: one {@code S x S} crop of the scaled image at a seeded random place;
 *   <li>testing ("slide" inference): {@code S x S} windows over the scaled image with stride
 *       {@code floor(2S/3)} (512 and 341 in mmsegmentation's configs), the last window of a row
 *       or column moved back to end at the border; the caller averages the predictions where
 *       windows overlap and upsamples the average to the label's original size.
 * </ul>
 */
final class SlidingWindows {

  private final int size;
  private final int stride;

  SlidingWindows(int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("window size must be positive, got " + size);
    }
    this.size = size;
    this.stride = Math.max(1, size * 2 / 3);
  }

  int size() {
    return size;
  }

  int stride() {
    return stride;
  }

  /** {width, height} of a {@code w x h} image scaled so its shorter side is the window size. */
  int[] scaledSize(int w, int h) {
    double scale = (double) size / Math.min(w, h);
    return new int[] {Math.max(size, (int) (w * scale + 0.5)), Math.max(size, (int) (h * scale + 0.5))};
  }

  /** The sample scaled so its shorter side is the window size; targets it lacks stay null. */
  Sample scaled(Sample s) {
    int w = s.image().width();
    int h = s.image().height();
    int[] to = scaledSize(w, h);
    if (to[0] == w && to[1] == h) {
      return s;
    }
    RgbImage image = Resampling.bilinear(s.image(), to[0], to[1]);
    byte[] classes = s.classMap() == null ? null : Resampling.nearest(s.classMap(), w, h, to[0], to[1]);
    float[] depth = s.depthMetres() == null ? null : Resampling.nearest(s.depthMetres(), w, h, to[0], to[1]);
    return new Sample(s.key(), image, s.captions(), s.objects(), classes, depth);
  }

  /** One training view: the scaled sample cut to a window at a place drawn from {@code random}. */
  Sample trainingCrop(Sample s, Random random) {
    Sample scaled = scaled(s);
    int x = random.nextInt(scaled.image().width() - size + 1);
    int y = random.nextInt(scaled.image().height() - size + 1);
    return window(scaled, x, y);
  }

  /** Top-left corners {x, y} of the windows over a {@code w x h} scaled image, row by row. */
  List<int[]> origins(int w, int h) {
    List<int[]> out = new ArrayList<>();
    for (int y : starts(h)) {
      for (int x : starts(w)) {
        out.add(new int[] {x, y});
      }
    }
    return out;
  }

  /** mmsegmentation's grid along one side: {@code ceil((side - S) / stride) + 1} windows, the last one flush with the border. */
  private List<Integer> starts(int side) {
    int count = Math.max(side - size + stride - 1, 0) / stride + 1;
    List<Integer> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int end = Math.min(i * stride + size, side);
      out.add(Math.max(end - size, 0));
    }
    return out;
  }

  /** The window of the (scaled) sample whose top-left corner is ({@code x}, {@code y}). */
  Sample window(Sample scaled, int x, int y) {
    int w = scaled.image().width();
    int h = scaled.image().height();
    if (x == 0 && y == 0 && w == size && h == size) {
      return scaled;
    }
    if (x < 0 || y < 0 || x + size > w || y + size > h) {
      throw new IllegalArgumentException("window at (" + x + ", " + y + ") of size " + size + " leaves the " + w + "x" + h
          + " image of " + scaled.key());
    }
    byte[] rgb = scaled.image().rgb();
    byte[] out = new byte[size * size * 3];
    for (int row = 0; row < size; row++) {
      System.arraycopy(rgb, ((y + row) * w + x) * 3, out, row * size * 3, size * 3);
    }
    byte[] classes = null;
    if (scaled.classMap() != null) {
      classes = new byte[size * size];
      for (int row = 0; row < size; row++) {
        System.arraycopy(scaled.classMap(), (y + row) * w + x, classes, row * size, size);
      }
    }
    float[] depth = null;
    if (scaled.depthMetres() != null) {
      depth = new float[size * size];
      for (int row = 0; row < size; row++) {
        System.arraycopy(scaled.depthMetres(), (y + row) * w + x, depth, row * size, size);
      }
    }
    return new Sample(scaled.key(), new RgbImage(size, size, out), scaled.captions(), scaled.objects(), classes, depth);
  }
}
