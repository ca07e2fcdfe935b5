package dev.recap.api;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExtensionsTest {

  private record Named(String id, String version) implements NamedPlugin {}

  @Test
  void anIdFindsTheExtensionAndIdAtVersionAlsoChecksTheVersion() {
    Named acme = new Named("acme-vit", "1.2.0");
    Extensions extensions = Extensions.of(new Named("vit", "0.1.0"), acme);
    assertSame(acme, extensions.get(Named.class, "acme-vit"));
    assertSame(acme, extensions.get(Named.class, "acme-vit@1.2.0"));
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> extensions.get(Named.class, "acme-vit@1.3.0"));
    assertTrue(wrong.getMessage().contains("'acme-vit@1.3.0'") && wrong.getMessage().contains("acme-vit@1.2.0"),
        wrong.getMessage());
  }
}
