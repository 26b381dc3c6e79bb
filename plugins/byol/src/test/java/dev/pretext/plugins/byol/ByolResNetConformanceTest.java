package dev.pretext.plugins.byol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.testkit.ResNetConformance;
import java.util.List;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4, with ByolTaskTest's range of the loss; a shorter smoke run (24 steps
 * of 32 images) keeps it cheap.
 */
class ByolResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "byol";
  }

  @Override
  protected void checkLosses(List<Double> losses) {
    // Two negative-cosine terms, each in [0, 4].
    assertThat(losses).allMatch(l -> l >= 0 && l <= 8);
  }
}
