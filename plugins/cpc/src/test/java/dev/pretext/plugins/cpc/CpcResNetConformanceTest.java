package dev.pretext.plugins.cpc;

import dev.pretext.testkit.ResNetConformance;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4, with CpcTaskTest's settings (10×10 patches: 10 → 10 → 5 through its
 * stages); a shorter smoke run (24 steps of 16 images) keeps it cheap.
 */
class CpcResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "cpc";
  }

  @Override
  protected String taskSettings() {
    return "context.channels = 16";
  }

  @Override
  protected int batchSize() {
    return 16;
  }
}
