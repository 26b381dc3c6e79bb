package dev.pretext.plugins.colorization;

import dev.pretext.testkit.ResNetConformance;
import dev.pretext.testkit.TestImages;
import dev.pretext.testkit.TestKit;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4, on class-tinted colour images as ColorizationConformanceTest; a
 * shorter smoke run (24 steps of 32 images) keeps it cheap.
 */
class ColorizationResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "colorization";
  }

  @Override
  protected TestImages images(int n) {
    return TestKit.colourSampleImages(n);
  }
}
