package dev.recap.worker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import dev.recap.bus.msg.ConformanceResult;
import dev.recap.bus.msg.PluginInfo;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** How a worker picks, runs and reports the kit of one extension (the plugin-jar path: ConsolePluginConformanceTest). */
class PluginConformanceTest {

  /** A captioner that names the colour of the first pixel; {@code keyOf} decides the key it answers with. */
  private static Captioner colourCaptioner(Function<CaptionRequest, String> keyOf) {
    return new Captioner() {
      @Override
      public String id() {
        return "first-pixel";
      }

      @Override
      public Session open(PluginConfig config, long seed, Extensions extensions) {
        return batch -> batch.stream().map(r -> Caption.of(keyOf.apply(r), "a square of red " + (r.image().rgb()[0] & 0xff))).toList();
      }
    };
  }

  private static ConformanceResult check(String point, dev.recap.api.NamedPlugin extension) throws InterruptedException {
    return PluginConformance.check(new PluginInfo(extension.id(), extension.version(), point, "test", "", ""), extension, Extensions.of());
  }

  @Test
  void aConformingCaptionerPassesAndOneThatLosesTheKeysFailsNamingTheCheck() throws Exception {
    ConformanceResult good = check("Captioner", colourCaptioner(CaptionRequest::key));
    assertEquals("pass", good.getStatus(), good.getMessage());
    ConformanceResult bad = check("Captioner", colourCaptioner(r -> "same-key"));
    assertEquals("fail", bad.getStatus());
    assertTrue(bad.getMessage().startsWith("givesOneCaptionPerRequestInOrderWithTheRequestKey: caption 0 carries the request's key"),
        bad.getMessage());
  }

  @Test
  void aCaptionerThatCannotBeOpenedWithoutConfigurationIsSkippedWithItsOwnReason() throws Exception {
    Captioner needsModel = new Captioner() {
      @Override
      public String id() {
        return "needs-model";
      }

      @Override
      public Session open(PluginConfig config, long seed, Extensions extensions) {
        throw new IllegalArgumentException("config key 'model' is required but missing");
      }
    };
    ConformanceResult r = check("Captioner", needsModel);
    assertEquals("skipped", r.getStatus());
    assertTrue(r.getMessage().contains("config key 'model' is required"), r.getMessage());
  }

  @Test
  void anEncoderWithoutATinyPresetIsSkippedRatherThanBuiltAtFullSize() throws Exception {
    ImageEncoder big = new ImageEncoder() {
      @Override
      public String id() {
        return "big";
      }

      @Override
      public Map<String, PluginConfig> presets() {
        return Map.of("big-b-16", PluginConfig.of("width", 768));
      }

      @Override
      public ImageTower build(PluginConfig config) {
        throw new AssertionError("the worker must not build " + config);
      }
    };
    ConformanceResult r = check("ImageEncoder", big);
    assertEquals("skipped", r.getStatus());
    assertTrue(r.getMessage().startsWith("no *-tiny preset among [big-b-16]"), r.getMessage());
  }

  @Test
  void theTinyPresetIsTheOneEndingInTiny() throws Exception {
    ImageEncoder presets = new ImageEncoder() {
      @Override
      public String id() {
        return "p";
      }

      @Override
      public Map<String, PluginConfig> presets() {
        return Map.of("p-small", PluginConfig.empty(), "p-tiny", PluginConfig.empty(), "p-base", PluginConfig.empty());
      }

      @Override
      public ImageTower build(PluginConfig config) {
        throw new UnsupportedOperationException();
      }
    };
    assertEquals(PluginConfig.of("preset", "p-tiny"), PluginConformance.tinyPreset(presets));
    assertNull(PluginConformance.tinyPreset(colourCaptioner(CaptionRequest::key)));
  }

  @Test
  void extensionPointsWithoutAKitAreSkipped() throws Exception {
    ConformanceResult r = check("SampleSource", colourCaptioner(CaptionRequest::key));
    assertEquals("skipped", r.getStatus());
    assertEquals("no conformance kit for SampleSource", r.getMessage());
  }
}
