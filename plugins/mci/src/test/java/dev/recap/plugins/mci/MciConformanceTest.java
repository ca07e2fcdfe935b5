package dev.recap.plugins.mci;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.ImageEncoderConformance;
import dev.recap.api.encoder.ImageEncoder;

/** mci-tiny (train-time structure) against the image encoder contract. */
class MciConformanceTest extends ImageEncoderConformance {

  @Override
  protected ImageEncoder encoder() {
    return new MciEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "mci-tiny");
  }
}
