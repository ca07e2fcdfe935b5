package dev.recap.plugins.vit;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.ImageEncoderConformance;
import dev.recap.api.encoder.ImageEncoder;

/** vit-tiny with {@code dense: blocks} (every block's patch tokens) against the contract. */
class VitBlocksDenseConformanceTest extends ImageEncoderConformance {

  @Override
  protected ImageEncoder encoder() {
    return new VitEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "vit-tiny", "dense", "blocks", "depth", 2);
  }
}
