package dev.recap.plugins.synthscenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.PluginConfig;
import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.Sample;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {

  private final SynthScenes source = new SynthScenes();

  @Test
  void sampleDependsOnlyOnSeedAndIndexWhateverTheCallOrderOrThread() throws Exception {
    SceneGenerator a = source.open(PluginConfig.empty(), 7);
    SceneGenerator b = source.open(PluginConfig.empty(), 7);
    Sample late = b.sample(5); // b sees indices in another order
    b.sample(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Sample> remote = pool.submit(() -> b.sample(5));
      assertSameSample(a.sample(5), late);
      assertSameSample(a.sample(5), remote.get());
    } finally {
      pool.shutdownNow();
    }
    SceneGenerator other = source.open(PluginConfig.empty(), 8);
    assertFalse(java.util.Arrays.equals(a.sample(5).image().rgb(), other.sample(5).image().rgb()));
    assertNotEquals(a.sample(5).key(), a.sample(6).key());
  }

  @Test
  void classAndDepthMapsAgreeWithThePlacedObjectsDrawnFarToNear() {
    SceneGenerator gen = source.open(PluginConfig.of("size", 48), 3);
    int overlappingPixels = 0;
    for (long i = 0; i < 60; i++) {
      Scene scene = gen.scene(i);
      Sample s = gen.sample(i);
      int n = scene.size();
      List<PlacedObject> objects = scene.objects();
      assertFalse(objects.isEmpty(), "sample " + i);
      for (int k = 1; k < objects.size(); k++) {
        assertTrue(objects.get(k - 1).depthMetres() >= objects.get(k).depthMetres(), "objects ordered far to near");
      }
      // painter's algorithm: background first, then every object far to near over it
      int[] expectedClass = new int[n * n];
      float[] expectedDepth = new float[n * n];
      int[] visible = new int[objects.size()];
      int[] coveredBy = new int[n * n];
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          int p = y * n + x;
          boolean sky = y + 0.5 < scene.horizonY();
          expectedClass[p] = sky ? 0 : 1;
          expectedDepth[p] = sky ? 0f : SceneLayout.groundDepth(n, scene.horizonY(), y + 0.5);
          coveredBy[p] = -1;
          int covering = 0;
          for (int k = 0; k < objects.size(); k++) {
            PlacedObject o = objects.get(k);
            if (o.covers(x + 0.5, y + 0.5)) {
              expectedClass[p] = SceneGenerator.classId(o.shape());
              expectedDepth[p] = o.depthMetres();
              coveredBy[p] = k;
              covering++;
            }
          }
          if (covering > 1) {
            overlappingPixels++;
          }
          if (coveredBy[p] >= 0) {
            visible[coveredBy[p]]++;
          }
        }
      }
      for (int p = 0; p < n * n; p++) {
        assertEquals(expectedClass[p], s.classMap()[p] & 0xFF, "class at pixel " + p + " of sample " + i);
        assertEquals(expectedDepth[p], s.depthMetres()[p], "depth at pixel " + p + " of sample " + i);
      }
      for (int k = 0; k < objects.size(); k++) {
        assertTrue(visible[k] >= 4, "every kept object is visible: sample " + i + " object " + k);
      }
    }
    assertTrue(overlappingPixels > 0, "some scenes must exercise occlusion");
  }

  @Test
  void groundDepthGrowsTowardTheHorizonAndObjectsShrinkWithDepth() {
    SceneGenerator gen = source.open(PluginConfig.of("size", 64, "minObjects", 1, "maxObjects", 1), 11);
    Scene scene = gen.scene(0);
    float previous = Float.MAX_VALUE;
    for (int y = (int) Math.ceil(scene.horizonY()) + 1; y < 64; y++) {
      float d = SceneLayout.groundDepth(64, scene.horizonY(), y + 0.5);
      assertTrue(d < previous && d > 0, "row " + y);
      previous = d;
    }
    for (long i = 0; i < 20; i++) {
      PlacedObject o = gen.scene(i).objects().get(0);
      assertEquals(o.size().metres * SceneLayout.focal(64) / o.depthMetres(), o.sizePx(), 1e-3);
      assertEquals(o.depthMetres(), SceneLayout.groundDepth(64, gen.scene(i).horizonY(), o.baseY()), 0.01,
          "an object stands on the ground at its own depth");
    }
  }

  @Test
  void annotationsAndQualityCaptionNameEveryObject() {
    SceneGenerator gen = source.open(PluginConfig.empty(), 5);
    for (long i = 0; i < 30; i++) {
      Sample s = gen.sample(i);
      Scene scene = gen.scene(i);
      String q = s.captions().get(Sample.QUALITY);
      assertEquals(scene.objects().size(), s.objects().size());
      for (int k = 0; k < scene.objects().size(); k++) {
        PlacedObject o = scene.objects().get(k);
        ObjectAnnotation a = s.objects().get(k);
        assertEquals(o.shape().word(), a.label());
        assertEquals(o.colour().word(), a.colour());
        assertEquals(o.depthMetres(), a.depthMetres());
        assertTrue(a.x0() < a.x1() && a.y0() < a.y1());
        String phrase = o.size().word() + " " + o.name() + " " + SceneCaptions.position(o, 64);
        assertTrue(q.contains(phrase), q + " should contain '" + phrase + "'");
        assertTrue(q.contains(o.name() + " " + SceneCaptions.position(o, 64) + ", "
            + (o.depthMetres() < SceneCaptions.NEAR_METRES ? "near" : "far")), q);
      }
    }
  }

  @Test
  void qualityCaptionSaysWhichObjectIsInFront() {
    SceneGenerator gen = source.open(PluginConfig.of("minObjects", 3, "maxObjects", 4), 9);
    boolean found = false;
    for (long i = 0; i < 50 && !found; i++) {
      Scene scene = gen.scene(i);
      for (PlacedObject a : scene.objects()) {
        for (PlacedObject b : scene.objects()) {
          if (a.depthMetres() < b.depthMetres() && SceneCaptions.overlap(a, b)) {
            assertTrue(gen.sample(i).captions().get(Sample.QUALITY)
                .contains("The " + a.name() + " is in front of the " + b.name() + "."));
            found = true;
          }
        }
      }
    }
    assertTrue(found, "no overlapping pair in 50 scenes");
  }

  @Test
  void altTextMixtureFollowsItsRatios() {
    SceneGenerator unrelated = source.open(PluginConfig.of("altUnrelated", 1, "altPartial", 0, "altCorrect", 0), 1);
    SceneGenerator correct = source.open(PluginConfig.of("altUnrelated", 0, "altPartial", 0, "altCorrect", 1), 1);
    SceneGenerator mixed = source.open(PluginConfig.empty(), 1);
    int mixedCorrect = 0;
    int n = 400;
    for (long i = 0; i < n; i++) {
      String u = unrelated.sample(i).captions().get(Sample.ALT);
      for (Shape shape : Shape.values()) {
        assertFalse(u.contains(shape.word()), u);
      }
      Scene scene = correct.scene(i);
      String c = correct.sample(i).captions().get(Sample.ALT);
      assertTrue(scene.objects().stream().anyMatch(o -> c.contains(o.name())), c);
      String m = mixed.sample(i).captions().get(Sample.ALT);
      if (mixed.scene(i).objects().stream().anyMatch(o -> m.startsWith("a " + o.name()) || m.startsWith(o.name() + " and "))) {
        mixedCorrect++;
      }
    }
    // default weight of short correct alt-texts is 0.25
    assertTrue(mixedCorrect > 0.15 * n && mixedCorrect < 0.35 * n, "correct alt-texts: " + mixedCorrect);
  }

  @Test
  void classNamesAndLargeImages() {
    SceneGenerator gen = source.open(PluginConfig.of("preset", "synth-224"), 2);
    assertEquals(List.of("sky", "ground", "circle", "square", "triangle", "diamond", "cross", "ring", "bar"),
        gen.classNames());
    Sample s = gen.sample(0);
    assertEquals(224, s.image().width());
    assertEquals(224 * 224, s.classMap().length);
    assertEquals(224 * 224, s.depthMetres().length);
  }

  @Test
  void depthScaleScalesEveryDepthAndNothingElse() {
    SceneGenerator metres = source.open(PluginConfig.of("minObjects", 3, "maxObjects", 4), 4);
    SceneGenerator eighth = source.open(PluginConfig.of("minObjects", 3, "maxObjects", 4, "depthScale", 0.125), 4);
    for (long i = 0; i < 20; i++) {
      Sample a = metres.sample(i);
      Sample b = eighth.sample(i);
      assertArrayEquals(a.image().rgb(), b.image().rgb());
      assertArrayEquals(a.classMap(), b.classMap());
      assertEquals(a.captions(), b.captions(), "captions keep their near/far");
      float deepest = 0;
      for (int p = 0; p < a.depthMetres().length; p++) {
        assertEquals(a.depthMetres()[p] * 0.125, b.depthMetres()[p], 1e-5, "pixel " + p + " of sample " + i);
        deepest = Math.max(deepest, b.depthMetres()[p]);
      }
      assertTrue(deepest <= 10f, "80 m scaled by 1/8 is at most 10 m, got " + deepest);
      for (int o = 0; o < a.objects().size(); o++) {
        assertEquals(a.objects().get(o).depthMetres() * 0.125, b.objects().get(o).depthMetres(), 1e-5);
      }
    }
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> source.open(PluginConfig.of("depthScale", 0), 1));
    assertTrue(e.getMessage().contains("depthScale"), e.getMessage());
  }

  private static void assertSameSample(Sample a, Sample b) {
    assertEquals(a.key(), b.key());
    assertArrayEquals(a.image().rgb(), b.image().rgb());
    assertArrayEquals(a.classMap(), b.classMap());
    assertArrayEquals(a.depthMetres(), b.depthMetres());
    assertEquals(a.captions(), b.captions());
    assertEquals(a.objects(), b.objects());
  }
}
