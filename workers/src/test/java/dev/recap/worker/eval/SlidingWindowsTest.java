package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** mmsegmentation's slide grid and resize rule, checked on its own ADE20k numbers and on small cases by hand. */
class SlidingWindowsTest {

  @Test
  void theGridOfMmsegmentationsAde20kConfigs() {
    SlidingWindows w = new SlidingWindows(512);
    assertEquals(341, w.stride(), "crop 512, stride 341");
    // a 683x512 image: ceil((683 - 512) / 341) + 1 = 2 columns; the second ends at 683, starts at 171
    List<int[]> origins = w.origins(683, 512);
    assertEquals(2, origins.size());
    assertArrayEquals(new int[] {0, 0}, origins.get(0));
    assertArrayEquals(new int[] {171, 0}, origins.get(1));
    // short side to 512, the other rounded as mmcv does: 640x480 -> int(640 * 512/480 + 0.5) = 683
    assertArrayEquals(new int[] {683, 512}, w.scaledSize(640, 480));
  }

  @Test
  void smallImagesOnASixteenPixelEncoder() {
    SlidingWindows w = new SlidingWindows(16);
    assertEquals(10, w.stride());
    assertArrayEquals(new int[] {21, 16}, w.scaledSize(40, 30)); // int(40 * 16/30 + 0.5) = int(21.83)
    assertArrayEquals(new int[] {16, 27}, w.scaledSize(30, 50)); // int(26.67 + 0.5)
    // 27 rows: windows at 0, 10 and 27 - 16 = 11
    List<int[]> origins = w.origins(16, 27);
    assertEquals(List.of(0, 10, 11), origins.stream().map(o -> o[1]).toList());
    assertEquals(1, w.origins(16, 16).size());
  }

  @Test
  void windowsAndCropsCutImageAndTargetsAlike() {
    int side = 20;
    byte[] rgb = new byte[side * side * 3];
    byte[] classes = new byte[side * side];
    float[] depth = new float[side * side];
    for (int i = 0; i < side * side; i++) {
      rgb[i * 3] = (byte) i;
      classes[i] = (byte) (i % 7);
      depth[i] = i;
    }
    Sample s = new Sample("k", new RgbImage(side, side, rgb), Map.of(), List.of(), classes, depth);
    SlidingWindows w = new SlidingWindows(16);
    Sample window = w.window(s, 3, 2);
    assertEquals(16, window.image().width());
    // the window's pixel (1, 1) is the image's (4, 3)
    int source = 3 * side + 4;
    assertEquals(rgb[source * 3], window.image().rgb()[(16 + 1) * 3]);
    assertEquals(classes[source], window.classMap()[16 + 1]);
    assertEquals(depth[source], window.depthMetres()[16 + 1]);

    Sample crop = w.trainingCrop(s, new Random(4));
    assertEquals(16, crop.image().width());
    assertEquals(16, crop.image().height());
    Sample again = w.trainingCrop(s, new Random(4));
    assertArrayEquals(crop.classMap(), again.classMap(), "the same seed gives the same crop");
    Sample exact = new Sample("e", new RgbImage(16, 16, new byte[16 * 16 * 3]), Map.of(), List.of(), new byte[256], null);
    assertSame(exact, w.trainingCrop(exact, new Random(1)), "an image of the input size is used as it is");
    assertTrue(w.scaled(exact) == exact);
  }
}
