package dev.pretext.plugins.simclr;

import dev.pretext.api.Encoder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's conformance checks with {@link TestKit#smallResNet} (identity and projection
 * shortcuts) instead of conv4, with SimClrTaskTest's small projector; a shorter smoke run (24 steps
 * of 32 images) keeps it cheap.
 */
@Tag("resnet-conformance")
class SimClrResNetConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "simclr";
  }

  @Override
  protected Encoder encoder(long seed) {
    return TestKit.smallResNet(seed);
  }

  @Override
  protected String taskSettings() {
    return "projection { hidden = 64, output = 32 }";
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
