package dev.recap.plugins.mci;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.ImageEncoderConformance;
import dev.recap.api.encoder.ImageEncoder;

/** mci-tiny built in its fused inference structure against the image encoder contract. */
class MciReparameterizedConformanceTest extends ImageEncoderConformance {

  @Override
  protected ImageEncoder encoder() {
    return new MciEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "mci-tiny", "reparameterized", true);
  }
}
