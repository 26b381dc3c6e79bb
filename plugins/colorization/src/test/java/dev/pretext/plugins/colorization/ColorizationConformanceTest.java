package dev.pretext.plugins.colorization;

import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestImages;
import dev.pretext.testkit.TestKit;

/** The testkit's checks on class-tinted colour images (colorization rejects grayscale). */
class ColorizationConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "colorization";
  }

  @Override
  protected TestImages images(int n) {
    return TestKit.colourSampleImages(n);
  }

  @Override
  protected int steps() {
    return 40;
  }
}
