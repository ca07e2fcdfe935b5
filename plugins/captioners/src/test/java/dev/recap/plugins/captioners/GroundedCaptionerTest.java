package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroundedCaptionerTest {

  private static final RgbImage PIXEL = new RgbImage(1, 1, new byte[3]);

  private static String caption(List<ObjectAnnotation> objects) {
    Caption c = new GroundedCaptioner().open(PluginConfig.empty(), 0, Extensions.of())
        .caption(List.of(new CaptionRequest("k", PIXEL, "alt", objects))).get(0);
    assertTrue(c.present(), () -> "no caption: " + c.reason());
    return c.text();
  }

  @Test
  void describesSizeColourLabelAndPosition() {
    assertEquals("a small red circle on the left.",
        caption(List.of(new ObjectAnnotation("circle", "red", 0.05f, 0.4f, 0.2f, 0.55f, Float.NaN))));
    assertEquals("a large blue square on the right.",
        caption(List.of(new ObjectAnnotation("square", "Blue", 0.5f, 0.2f, 1.0f, 0.8f, Float.NaN))));
    assertEquals("a medium green triangle in the centre.",
        caption(List.of(new ObjectAnnotation("triangle", "green", 0.4f, 0.4f, 0.65f, 0.7f, Float.NaN))));
  }

  @Test
  void addsNearFarAndInFrontOfFromDepth() {
    String text = caption(List.of(
        new ObjectAnnotation("square", "blue", 0.3f, 0.2f, 0.7f, 0.6f, 8f),
        new ObjectAnnotation("circle", "red", 0.05f, 0.5f, 0.5f, 0.95f, 2f)));
    assertEquals("a large red circle on the left, near; a large blue square in the centre, far."
        + " the red circle is in front of the blue square.", text);
  }

  @Test
  void worksForCocoStyleLabelAndBoxAnnotations() {
    String text = caption(List.of(
        new ObjectAnnotation("person", null, 0.4f, 0.1f, 0.58f, 0.9f, Float.NaN),
        new ObjectAnnotation("traffic_light", null, 0.85f, 0.0f, 0.95f, 0.2f, Float.NaN)));
    assertEquals("a medium person in the centre; a small traffic light on the right.", text);
  }

  @Test
  void sameLookingObjectsAreToldApartByPosition() {
    String text = caption(List.of(
        new ObjectAnnotation("circle", "red", 0.0f, 0.0f, 0.3f, 0.3f, 1f),
        new ObjectAnnotation("circle", "red", 0.1f, 0.0f, 0.9f, 0.3f, 9f)));
    assertTrue(text.endsWith("the red circle on the left is in front of the red circle in the centre."), text);
  }

  @Test
  void withoutAnnotationsThereIsNoCaptionAndTheReasonSaysWhy() {
    Caption c = new GroundedCaptioner().open(PluginConfig.empty(), 0, Extensions.of())
        .caption(List.of(new CaptionRequest("k", PIXEL, "alt", List.of()))).get(0);
    assertFalse(c.present());
    assertTrue(c.reason().contains("annotations"), c.reason());
  }

  @Test
  void badConfigNamesTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GroundedCaptioner().open(PluginConfig.of("smallArea", 0.5, "largeArea", 0.1), 0, Extensions.of()));
    assertTrue(e.getMessage().contains("smallArea"), e.getMessage());
  }
}
