package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

  /** A sample whose red channel encodes its class (20 per class, 8x8 blocks) and whose depth is its column. */
  private static Sample blocks(int n) {
    byte[] rgb = new byte[n * n * 3];
    byte[] cls = new byte[n * n];
    float[] depth = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int p = y * n + x;
        int c = ((x / 8) + 3 * (y / 8)) % 12;
        cls[p] = (byte) c;
        depth[p] = x + 1;
        rgb[p * 3] = (byte) (c * 20);
        rgb[p * 3 + 1] = (byte) 100;
        rgb[p * 3 + 2] = (byte) 200;
      }
    }
    return new Sample("k", new RgbImage(n, n, rgb), Map.of(), List.of(), cls, depth);
  }

  private static float red(float[] image, int p) {
    return (image[p] * Augmentation.CLIP_STD[0] + Augmentation.CLIP_MEAN[0]) * 255f;
  }

  @Test
  void flipMovesImageAndTargetsTogether() {
    int n = 32;
    Augmentation aug = new Augmentation(n, true, new AugmentPolicy(1.0, true)); // full-image crop, random flip only
    Sample s = blocks(n);
    int flipped = 0;
    for (int seed = 0; seed < 10; seed++) {
      float[] image = new float[3 * n * n];
      int[] classes = new int[n * n];
      float[] depth = new float[n * n];
      aug.apply(s, new SplittableRandom(seed), image, 0, classes, depth, 0);
      boolean flip = depth[0] == n;
      flipped += flip ? 1 : 0;
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          int p = y * n + x;
          int srcX = flip ? n - 1 - x : x;
          assertEquals(s.classMap()[y * n + srcX], classes[p]);
          assertEquals(srcX + 1, depth[p]);
          assertEquals(classes[p] * 20, red(image, p), 0.01);
          assertEquals(100, (image[n * n + p] * Augmentation.CLIP_STD[1] + Augmentation.CLIP_MEAN[1]) * 255f, 0.01);
        }
      }
    }
    assertTrue(flipped > 0 && flipped < 10, "flipped " + flipped + " of 10");
  }

  @Test
  void randomResizedCropKeepsTargetsAlignedWithPixels() {
    int n = 64;
    Augmentation aug = new Augmentation(32, true, new AugmentPolicy(0.35, true));
    Sample s = blocks(n);
    for (int seed = 0; seed < 20; seed++) {
      float[] image = new float[3 * 32 * 32];
      int[] classes = new int[32 * 32];
      aug.apply(s, new SplittableRandom(seed), image, 0, classes, null, 0);
      int checked = 0;
      for (int p = 0; p < 32 * 32; p++) {
        float r = red(image, p);
        if (Math.abs(r / 20 - Math.round(r / 20)) < 1e-3) { // inside a block, not blended at an edge
          assertEquals(Math.round(r / 20), classes[p], "seed " + seed + " pixel " + p);
          checked++;
        }
      }
      assertTrue(checked > 32 * 32 / 3, "checked " + checked);
    }
  }

  @Test
  void evaluationModeResizesTheWholeImageWithoutFlipping() {
    Augmentation aug = Augmentation.resizeOnly(16);
    Sample s = blocks(32);
    int[] classes = new int[16 * 16];
    float[] depth = new float[16 * 16];
    aug.apply(s, new SplittableRandom(1), new float[3 * 256], 0, classes, depth, 0);
    assertEquals(2, depth[0]); // nearest of the 2x2 source block at column 1
    assertEquals(32, depth[15]);
  }

  @Test
  void defaultTrainingAugmentationNeverFlips() {
    int n = 32;
    Augmentation aug = new Augmentation(n, true, LoaderOptions.builder().build().augmentPolicy);
    Sample s = blocks(n);
    for (int seed = 0; seed < 500; seed++) {
      float[] depth = new float[n * n];
      aug.apply(s, new SplittableRandom(seed), new float[3 * n * n], 0, null, depth, 0);
      for (int y = 0; y < n; y++) {
        for (int x = 1; x < n; x++) {
          // depth is the source column: it never decreases left to right unless the image was mirrored
          assertTrue(depth[y * n + x] >= depth[y * n + x - 1], "seed " + seed + " mirrored row " + y);
        }
      }
    }
  }

  @Test
  void policiesDescribeThemselvesForReports() {
    assertEquals("crop 90-100% area, no flip", AugmentPolicy.openClip().describe());
    assertEquals("crop 35-100% area, flip", new AugmentPolicy(0.35, true).describe());
    assertEquals("no crop, no flip", new AugmentPolicy(1.0, false).describe());
  }

  @Test
  void defaultCropKeepsAtLeastNinetyPercentOfTheArea() {
    Augmentation aug = new Augmentation(64, true, AugmentPolicy.openClip());
    for (int seed = 0; seed < 500; seed++) {
      Augmentation.Window w = aug.window(64, 48, new SplittableRandom(seed));
      assertTrue(w.w() * w.h() >= 0.9 * 64 * 48 - 1e-6, "seed " + seed + ": " + w);
      assertFalse(w.flip(), "seed " + seed);
    }
  }

  /** A grey 64x64 scene with one red square whose centre is in the left third (x 6..17). */
  private static Sample redSquareOnTheLeft() {
    int n = 64;
    byte[] rgb = new byte[n * n * 3];
    for (int p = 0; p < n * n; p++) {
      int x = p % n;
      int y = p / n;
      boolean square = x >= 6 && x < 18 && y >= 26 && y < 38;
      rgb[p * 3] = (byte) (square ? 230 : 120);
      rgb[p * 3 + 1] = (byte) (square ? 20 : 120);
      rgb[p * 3 + 2] = (byte) (square ? 20 : 120);
    }
    return new Sample("left", new RgbImage(n, n, rgb), Map.of(Sample.ALT, "a red square on the left"), List.of(), null, null);
  }

  /** Centre column of the red pixels in an augmented image, or -1 if none is left. */
  private static double redCentreX(float[] image, int size) {
    double sum = 0;
    int count = 0;
    for (int p = 0; p < size * size; p++) {
      float green = (image[size * size + p] * Augmentation.CLIP_STD[1] + Augmentation.CLIP_MEAN[1]) * 255f;
      if (red(image, p) > 175 && green < 75) {
        sum += p % size;
        count++;
      }
    }
    return count == 0 ? -1 : sum / count;
  }

  @Test
  void anObjectOnTheLeftStaysOnTheLeftAfterTheDefaultAugmentation() {
    int size = 64;
    Sample s = redSquareOnTheLeft();
    Augmentation aug = new Augmentation(size, true, AugmentPolicy.openClip());
    for (int seed = 0; seed < 500; seed++) {
      float[] image = new float[3 * size * size];
      aug.apply(s, new SplittableRandom(seed), image, 0, null, null, 0);
      double x = redCentreX(image, size);
      assertTrue(x >= 0, "seed " + seed + ": the crop cut the object out");
      assertTrue(x < size / 3.0, "seed " + seed + ": the object's centre moved to x=" + x + " of " + size);
    }
  }

  @Test
  void aSmallCropWithFlipsBreaksLeftCaptions() {
    // the check above can fail: the previous default (35% crops, flips) moves the object often
    int size = 64;
    Sample s = redSquareOnTheLeft();
    Augmentation aug = new Augmentation(size, true, new AugmentPolicy(0.35, true));
    int broken = 0;
    for (int seed = 0; seed < 200; seed++) {
      float[] image = new float[3 * size * size];
      aug.apply(s, new SplittableRandom(seed), image, 0, null, null, 0);
      double x = redCentreX(image, size);
      broken += x < 0 || x >= size / 3.0 ? 1 : 0;
    }
    assertTrue(broken > 50, "only " + broken + " of 200 augmented images lost the object or its side");
  }

  /** An image of three vertical bands: red on the left quarter, blue in the middle half, green on the right quarter. */
  private static Sample bands(int width, int height) {
    byte[] rgb = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = (y * width + x) * 3;
        int band = x < width / 4 ? 0 : x < width * 3 / 4 ? 2 : 1;
        rgb[p + band] = (byte) 255;
      }
    }
    return new Sample("wide", new RgbImage(width, height, rgb), Map.of(), List.of(), null, null);
  }

  private static float channel(float[] image, int size, int c, int p) {
    return (image[c * size * size + p] * Augmentation.CLIP_STD[c] + Augmentation.CLIP_MEAN[c]) * 255f;
  }

  @Test
  void evaluationResizesTheShorterSideAndCutsOutTheCentre() {
    // OpenCLIP's test transform: a 400x200 image becomes its centre 200x200, resized; the side bands are cut away
    int size = 20;
    for (Sample s : List.of(bands(400, 200), bands(401, 37))) {
      float[] image = new float[3 * size * size];
      Augmentation.resizeOnly(size).apply(s, new SplittableRandom(1), image, 0, null, null, 0);
      for (int p = 0; p < size * size; p++) {
        assertEquals(255, channel(image, size, 2, p), 0.5, s.image().width() + "x" + s.image().height() + ": blue at " + p);
        assertEquals(0, channel(image, size, 0, p), 0.5, "no red at " + p);
      }
    }
    // a tall image: the centre rows
    byte[] rgb = new byte[30 * 90 * 3];
    for (int y = 0; y < 90; y++) {
      for (int x = 0; x < 30; x++) {
        rgb[(y * 30 + x) * 3] = (byte) (y < 30 || y >= 60 ? 255 : 0);
      }
    }
    float[] image = new float[3 * size * size];
    Augmentation.resizeOnly(size).apply(new Sample("tall", new RgbImage(30, 90, rgb), Map.of(), List.of(), null, null),
        new SplittableRandom(1), image, 0, null, null, 0);
    for (int p = 0; p < size * size; p++) {
      assertEquals(0, channel(image, size, 0, p), 0.5, "the centre third has no red, at " + p);
    }
  }

  @Test
  void shrinkingAveragesInsteadOfAliasing() {
    // one-pixel stripes, 2000 px wide: bilinear sampling at 25x shrink would land on single stripes (0 or 255)
    int w = 2000;
    int h = 2000;
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x += 2) {
        int p = (y * w + x) * 3;
        rgb[p] = rgb[p + 1] = rgb[p + 2] = (byte) 255;
      }
    }
    int size = 16;
    float[] image = new float[3 * size * size];
    Augmentation.resizeOnly(size).apply(new Sample("stripes", new RgbImage(w, h, rgb), Map.of(), List.of(), null, null),
        new SplittableRandom(1), image, 0, null, null, 0);
    for (int p = 0; p < size * size; p++) {
      assertEquals(127.5, channel(image, size, 0, p), 8, "the stripes average to gray at " + p);
    }
  }

  @Test
  void trainingCropsKeepTheAspectWithinOpenClipsRangeOnAPanorama() {
    // a 10:1 panorama: no random draw fits, so the crop is the centred 4:3 window (torchvision's fallback), not a squashed whole
    int size = 16;
    Sample s = bands(1000, 100);
    Augmentation aug = new Augmentation(size, true, AugmentPolicy.openClip());
    Augmentation.Window win = aug.window(1000, 100, new SplittableRandom(5));
    assertEquals(100, win.h(), 1e-9);
    assertEquals(133, win.w(), 1e-9);
    assertEquals((1000 - 133) / 2.0, win.x0(), 1e-9);
    float[] image = new float[3 * size * size];
    aug.apply(s, new SplittableRandom(5), image, 0, null, null, 0);
    for (int p = 0; p < size * size; p++) {
      assertEquals(255, channel(image, size, 2, p), 0.5, "the centre of a panorama is its middle band, at " + p);
    }
  }
}
