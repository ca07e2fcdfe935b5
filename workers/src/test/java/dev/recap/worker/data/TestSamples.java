package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import dev.recap.api.data.SampleSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small deterministic generator for the data tests (the synthetic-scene plugin lives in a
 * plugin module, which workers must not depend on): random pixels, blocky class and depth maps,
 * two captions and one annotation per sample; depths in whole millimetres like real sensors.
 */
final class TestSamples implements SampleSource.Generator {

  private final int size;
  private final long seed;

  TestSamples(int size, long seed) {
    this.size = size;
    this.seed = seed;
  }

  @Override
  public Sample sample(long index) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003 + index);
    byte[] rgb = new byte[size * size * 3];
    byte[] cls = new byte[size * size];
    float[] depth = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = y * size + x;
        cls[p] = (byte) (y < size / 3 ? 0 : (x < size / 2 ? 1 : 255));
        depth[p] = y < size / 3 ? 0f : (float) ((1000 + rnd.nextInt(20_000)) / 1000.0);
        for (int c = 0; c < 3; c++) {
          rgb[p * 3 + c] = (byte) rnd.nextInt(256);
        }
      }
    }
    String key = String.format(Locale.ROOT, "%09d", index);
    return new Sample(key, new RgbImage(size, size, rgb),
        Map.of(Sample.ALT, "IMG_" + index + ".jpg", Sample.QUALITY, "a red circle " + index + " metres away"),
        List.of(new ObjectAnnotation("circle", "red", 0.1f, 0.2f, 0.3f + index * 1e-3f, 0.4f, 3.141f)),
        cls, depth);
  }

  @Override
  public List<String> classNames() {
    return List.of("sky", "ground");
  }

  static void assertSameSample(Sample expected, Sample actual) {
    assertEquals(expected.key(), actual.key());
    assertEquals(expected.image().width(), actual.image().width());
    assertArrayEquals(expected.image().rgb(), actual.image().rgb(), "pixels of " + expected.key());
    assertEquals(expected.captions(), actual.captions());
    assertEquals(expected.objects(), actual.objects());
    assertArrayEquals(expected.classMap(), actual.classMap(), "class map of " + expected.key());
    assertArrayEquals(expected.depthMetres(), actual.depthMetres(), "depth of " + expected.key());
  }
}
