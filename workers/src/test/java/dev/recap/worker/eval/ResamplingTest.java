package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recap.api.data.RgbImage;
import org.junit.jupiter.api.Test;

/** Resizing by PyTorch's rules, checked against values worked out by hand (and printed by F.interpolate). */
class ResamplingTest {

  @Test
  void bilinearUpsamplingMatchesInterpolateWithoutAlignedCorners() {
    // F.interpolate([[1, 2], [3, 4]], size=(4, 4), mode='bilinear', align_corners=False):
    // destination d reads source (d + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25
    // (its right neighbour clamped to the border), so a row 1, 2 becomes 1, 1.25, 1.75, 2
    float[] out = Resampling.bilinear(new float[] {1, 2, 3, 4}, 2, 2, 4, 4);
    assertArrayEquals(new float[] {
      1, 1.25f, 1.75f, 2,
      1.5f, 1.75f, 2.25f, 2.5f,
      2.5f, 2.75f, 3.25f, 3.5f,
      3, 3.25f, 3.75f, 4}, out, 1e-6f);
  }

  @Test
  void argmaxOfUpsampledLogitsWithoutHoldingThem() {
    // two classes on a 2x1 map: class 0 scores 1, 0; class 1 scores 0, 1. At 4x1 class 0 scores
    // 1, 0.75, 0.25, 0 and class 1 0, 0.25, 0.75, 1
    int[] classes = Resampling.argmaxBilinear(new float[] {1, 0, 0, 1}, 2, 2, 1, 4, 1);
    assertArrayEquals(new int[] {0, 0, 1, 1}, classes);
    assertArrayEquals(new int[] {0, 1}, Resampling.argmax(new float[] {1, 0, 0, 1}, 2, 2));
    // a tie goes to the lower class id
    assertArrayEquals(new int[] {0}, Resampling.argmax(new float[] {0.5f, 0.5f}, 2, 1));
  }

  @Test
  void argmaxOfUpsampledLogitsEqualsUpsamplingEveryClassThenTakingTheArgmax() {
    java.util.Random random = new java.util.Random(3);
    int classes = 5;
    int w = 7;
    int h = 4;
    float[] logits = new float[classes * w * h];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = random.nextFloat();
    }
    for (int[] size : new int[][] {{23, 11}, {7, 4}, {3, 9}}) {
      float[] upsampled = new float[classes * size[0] * size[1]];
      for (int c = 0; c < classes; c++) {
        float[] plane = java.util.Arrays.copyOfRange(logits, c * w * h, (c + 1) * w * h);
        System.arraycopy(Resampling.bilinear(plane, w, h, size[0], size[1]), 0, upsampled, c * size[0] * size[1],
            size[0] * size[1]);
      }
      assertArrayEquals(Resampling.argmax(upsampled, classes, size[0] * size[1]),
          Resampling.argmaxBilinear(logits, classes, w, h, size[0], size[1]), size[0] + "x" + size[1]);
    }
  }

  @Test
  void nearestNeverBlendsLabels() {
    byte[] up = Resampling.nearest(new byte[] {1, 2, 3, 4}, 2, 2, 4, 4);
    assertArrayEquals(new byte[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up);
    // 4 -> 3: destination d reads floor(d * 4 / 3) = 0, 1, 2
    assertArrayEquals(new float[] {10, 11, 12}, Resampling.nearest(new float[] {10, 11, 12, 13}, 4, 1, 3, 1));
  }

  @Test
  void rgbImagesAreBlendedAndRounded() {
    RgbImage twoPixels = new RgbImage(2, 1, new byte[] {0, 10, 20, (byte) 255, 10, 20});
    RgbImage wide = Resampling.bilinear(twoPixels, 4, 1);
    // red 0, 63.75, 191.25, 255 rounds to 0, 64, 191, 255; the equal channels stay
    assertEquals(64, wide.rgb()[3] & 0xFF);
    assertEquals(191, wide.rgb()[6] & 0xFF);
    assertEquals(255, wide.rgb()[9] & 0xFF);
    assertEquals(10, wide.rgb()[4] & 0xFF);
    assertEquals(twoPixels, Resampling.bilinear(twoPixels, 2, 1), "same size: the image itself");
  }
}
