package dev.pretext.plugins.byol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.Encoder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's conformance checks with {@link TestKit#smallResNet} (identity and projection
 * shortcuts) instead of conv4, with ByolTaskTest's range of the loss; a shorter smoke run (24 steps
 * of 32 images) keeps it cheap.
 */
@Tag("resnet-conformance")
class ByolResNetConformanceTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "byol";
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

  @Override
  protected void checkLosses(List<Double> losses) {
    // Two negative-cosine terms, each in [0, 4].
    assertThat(losses).allMatch(l -> l >= 0 && l <= 8);
  }
}
