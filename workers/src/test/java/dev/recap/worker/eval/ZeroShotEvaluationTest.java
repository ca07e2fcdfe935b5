package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ZeroShotEvaluationTest {

  private static byte[] map(int... classPerPixel) {
    byte[] m = new byte[classPerPixel.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (byte) classPerPixel[i];
    }
    return m;
  }

  @Test
  void theLabelIsTheListedClassWithTheMostPixelsAndUnlistedClassesDoNotCount() {
    // sky (0) and ground (1) cover most of the image but are not listed; circle (2) has 3 pixels, ring (7) 2
    byte[] scene = map(0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 7, 7, 255);
    int[] shapes = {2, 3, 7};
    assertEquals(0, ZeroShotEvaluation.largestListedClass(scene, shapes), "circle, the first listed");
    assertEquals(1, ZeroShotEvaluation.largestListedClass(scene, new int[] {7, 2}), "index in the list, not the class id");
  }

  @Test
  void aTieGoesToTheEarlierListedClassAndAnImageWithoutAnyIsUnlabelled() {
    assertEquals(1, ZeroShotEvaluation.largestListedClass(map(3, 3, 5, 5, 0), new int[] {9, 5, 3}));
    assertEquals(-1, ZeroShotEvaluation.largestListedClass(map(0, 0, 1, 255), new int[] {2, 3}));
  }
}
