package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.data.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionersAltTextTest {

  private static final RgbImage PIXEL = new RgbImage(1, 1, new byte[3]);

  @Test
  void passesTheSourceCaptionThroughWithWhitespaceCollapsed() {
    List<Caption> out = new AltTextCaptioner().open(PluginConfig.empty(), 0, Extensions.of())
        .caption(List.of(new CaptionRequest("k", PIXEL, "  cheap   red\tshoes ", List.of())));
    assertEquals(Caption.of("k", "cheap red shoes"), out.get(0));
  }

  @Test
  void aSampleWithoutAltTextGetsNoCaptionAndTheReason() {
    Caption c = new AltTextCaptioner().open(PluginConfig.empty(), 0, Extensions.of())
        .caption(List.of(new CaptionRequest("k", PIXEL, " ", List.of()))).get(0);
    assertFalse(c.present());
    assertTrue(c.reason().contains("no source caption"), c.reason());
  }
}
