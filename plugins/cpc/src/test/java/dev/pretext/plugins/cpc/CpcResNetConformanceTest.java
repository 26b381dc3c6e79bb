package dev.pretext.plugins.cpc;

import dev.pretext.api.Encoder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's conformance checks with {@link TestKit#smallResNet} (identity and projection
 * shortcuts) instead of conv4, with CpcTaskTest's settings (10×10 patches: 10 → 10 → 5 through its
 * stages); a shorter smoke run (24 steps of 16 images) keeps it cheap.
 */
@Tag("resnet-conformance")
class CpcResNetConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "cpc";
  }

  @Override
  protected Encoder encoder(long seed) {
    return TestKit.smallResNet(seed);
  }

  @Override
  protected String taskSettings() {
    return "context.channels = 16";
  }

  @Override
  protected int steps() {
    return 24;
  }

  @Override
  protected int batchSize() {
    return 16;
  }
}
