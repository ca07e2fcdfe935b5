package dev.recap.plugins.texttransformer;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.TextEncoderConformance;
import dev.recap.api.encoder.TextEncoder;

class TextTransformerConformanceTest extends TextEncoderConformance {

  @Override
  protected TextEncoder encoder() {
    return new TextTransformerEncoder();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "text-tiny", "width", 32, "heads", 2, "context", 16);
  }
}
