package dev.recap.plugins.vit;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.ImageEncoderConformance;
import dev.recap.api.encoder.ImageEncoder;

/** vit-tiny (dense: last) against the image encoder contract; 64 px is its native grid. */
class VitConformanceTest extends ImageEncoderConformance {

  @Override
  protected ImageEncoder encoder() {
    return new VitEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "vit-tiny");
  }
}
