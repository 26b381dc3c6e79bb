package dev.pretext.plugins.contextencoder;

import dev.pretext.api.Encoder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's conformance checks with {@link TestKit#smallResNet} (identity and projection
 * shortcuts) instead of conv4; a shorter smoke run (24 steps of 32 images) keeps it cheap.
 */
@Tag("resnet-conformance")
class ContextEncoderResNetConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "context-encoder";
  }

  @Override
  protected Encoder encoder(long seed) {
    return TestKit.smallResNet(seed);
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
