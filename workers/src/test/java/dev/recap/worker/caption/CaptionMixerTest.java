package dev.recap.worker.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CaptionMixerTest {

  @Test
  void takesTheCuratedCaptionWithTheRequestedProbability() {
    CaptionMixer mixer = new CaptionMixer(0.8, 42);
    int curated = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      if (mixer.choose("k" + i, 0, "alt", "curated").equals("curated")) {
        curated++;
      }
    }
    // binomial sd = sqrt(n p (1-p)) ~ 57; allow 5 sd
    assertEquals(0.8 * n, curated, 300);
  }

  @Test
  void theChoiceDependsOnKeyEpochAndSeedOnly() {
    CaptionMixer a = new CaptionMixer(0.5, 7);
    CaptionMixer b = new CaptionMixer(0.5, 7);
    int differentEpoch = 0;
    int differentSeed = 0;
    CaptionMixer c = new CaptionMixer(0.5, 8);
    for (int i = 0; i < 1000; i++) {
      assertEquals(a.useCurated("k" + i, 3), b.useCurated("k" + i, 3));
      differentEpoch += a.useCurated("k" + i, 3) != a.useCurated("k" + i, 4) ? 1 : 0;
      differentSeed += a.useCurated("k" + i, 3) != c.useCurated("k" + i, 3) ? 1 : 0;
    }
    assertTrue(differentEpoch > 400 && differentEpoch < 600, "epochs re-draw: " + differentEpoch);
    assertTrue(differentSeed > 400 && differentSeed < 600, "seeds re-draw: " + differentSeed);
  }

  @Test
  void extremesAndMissingCaptionsFallBack() {
    assertEquals("alt", new CaptionMixer(0, 1).choose("k", 0, "alt", "curated"));
    assertEquals("curated", new CaptionMixer(1, 1).choose("k", 0, "alt", "curated"));
    assertEquals("alt", new CaptionMixer(1, 1).choose("k", 0, "alt", null));
    assertEquals("curated", new CaptionMixer(0, 1).choose("k", 0, "", "curated"));
    assertNotEquals("curated", new CaptionMixer(0, 1).choose("k", 0, "alt", "curated"));
  }
}
