package dev.pretext.plugins.rotation;

import dev.pretext.testkit.ResNetConformance;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4; a shorter smoke run (24 steps of 32 images) keeps it cheap.
 */
class RotationResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "rotation";
  }
}
