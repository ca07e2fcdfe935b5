package dev.recap.plugins.mci;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.ImageEncoderConformance;
import dev.recap.api.encoder.ImageEncoder;

/** mci-micro with the stride-8 primary level ({@code dense: stride8}) against the image encoder contract. */
class MciStride8ConformanceTest extends ImageEncoderConformance {

  @Override
  protected ImageEncoder encoder() {
    return new MciEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "mci-micro", "dense", "stride8");
  }
}
