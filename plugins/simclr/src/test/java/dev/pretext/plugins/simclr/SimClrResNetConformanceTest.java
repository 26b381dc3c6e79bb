package dev.pretext.plugins.simclr;

import dev.pretext.testkit.ResNetConformance;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4, with SimClrTaskTest's small projector; a shorter smoke run (24 steps
 * of 32 images) keeps it cheap.
 */
class SimClrResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "simclr";
  }

  @Override
  protected String taskSettings() {
    return "projection { hidden = 64, output = 32 }";
  }
}
