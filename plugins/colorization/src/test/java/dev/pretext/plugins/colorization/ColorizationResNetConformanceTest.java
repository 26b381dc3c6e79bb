package dev.pretext.plugins.colorization;

import dev.pretext.api.Encoder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestImages;
import dev.pretext.testkit.TestKit;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's conformance checks with {@link TestKit#smallResNet} (identity and projection
 * shortcuts) instead of conv4, on class-tinted colour images as ColorizationConformanceTest; a
 * shorter smoke run (24 steps of 32 images) keeps it cheap.
 */
@Tag("resnet-conformance")
class ColorizationResNetConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "colorization";
  }

  @Override
  protected Encoder encoder(long seed) {
    return TestKit.smallResNet(seed);
  }

  @Override
  protected TestImages images(int n) {
    return TestKit.colourSampleImages(n);
  }

  @Override
  protected int steps() {
    return 24;
  }

  @Override
  protected int batchSize() {
    return 32;
  }
}
