package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.worker.data.AugmentPolicy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The run spec's JSON form, as planners write it and run.json records it. */
class ClipRunSpecTest {

  @Test
  void augmentationDefaultsToOpenClipsCropWithoutFlip() {
    assertEquals(new AugmentPolicy(0.9, false), ClipRunSpec.defaults().augment());
    assertEquals(new AugmentPolicy(0.9, false), ClipRunSpec.fromJson("{\"objective\":\"clip\"}").augment());
  }

  @Test
  void augmentationSurvivesTheJsonRoundTrip() {
    ClipRunSpec d = ClipRunSpec.defaults();
    ClipRunSpec spec = new ClipRunSpec(d.objective(), d.imageEncoder(), d.imageConfig(), d.textEncoder(), d.textConfig(),
        d.embedDim(), d.imageSize(), d.batchSize(), d.epochs(), d.maxSteps(), d.learningRate(), d.warmupSteps(),
        d.curatedProbability(), d.maskRatio(), d.decoderWidth(), d.loaderThreads(), new AugmentPolicy(0.35, true));
    String json = spec.toJson();
    assertEquals(new JsonObject().put("minScale", 0.35).put("flip", true), new JsonObject(json).getJsonObject("augment"));
    assertEquals(spec, ClipRunSpec.fromJson(json));
  }

  @Test
  void aPlannersPartialAugmentKeepsTheOtherDefault() {
    assertEquals(new AugmentPolicy(0.9, true), ClipRunSpec.fromJson("{\"augment\":{\"flip\":true}}").augment());
  }

  @Test
  void badAugmentationNamesTheField() {
    IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
        () -> ClipRunSpec.fromJson("{\"augment\":{\"minScale\":0}}"));
    assertTrue(scale.getMessage().contains("'augment.minScale'"), scale.getMessage());
    IllegalArgumentException flip = assertThrows(IllegalArgumentException.class,
        () -> ClipRunSpec.fromJson("{\"augment\":{\"flip\":\"yes\"}}"));
    assertTrue(flip.getMessage().contains("'augment.flip'"), flip.getMessage());
  }
}
