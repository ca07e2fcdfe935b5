package dev.recap.plugins.denseheads;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.DenseHeadConformance;
import dev.recap.api.dense.DenseHead;

class FpnHeadConformanceTest extends DenseHeadConformance {
  @Override
  protected DenseHead head() {
    return new FpnHead();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "fpn-tiny");
  }
}
