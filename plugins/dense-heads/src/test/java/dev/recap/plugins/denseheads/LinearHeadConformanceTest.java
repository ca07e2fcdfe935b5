package dev.recap.plugins.denseheads;

import dev.recap.api.conformance.DenseHeadConformance;
import dev.recap.api.dense.DenseHead;

class LinearHeadConformanceTest extends DenseHeadConformance {
  @Override
  protected DenseHead head() {
    return new LinearHead();
  }
}
