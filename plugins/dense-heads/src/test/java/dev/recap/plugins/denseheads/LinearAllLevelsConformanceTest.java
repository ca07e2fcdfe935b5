package dev.recap.plugins.denseheads;

import dev.recap.api.PluginConfig;
import dev.recap.api.conformance.DenseHeadConformance;
import dev.recap.api.dense.DenseHead;

/** The linear probe reading every level concatenated still honours the head contract. */
class LinearAllLevelsConformanceTest extends DenseHeadConformance {
  @Override
  protected DenseHead head() {
    return new LinearHead();
  }

  @Override
  protected PluginConfig config() {
    return PluginConfig.of("preset", "linear-all-levels");
  }
}
