package dev.pretext.plugins.moco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pretext.testkit.ResNetConformance;
import java.util.List;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4, with MoCoTaskTest's small queue and its loss checks; a shorter smoke
 * run (24 steps of 32 images) keeps it cheap.
 */
class MoCoResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "moco";
  }

  @Override
  protected String taskSettings() {
    return "sampler.size = 256";
  }

  /** Compared once the queue of 256 keys is full: from step 256 / 32 = 8 on. */
  @Override
  protected int lossComparedFrom() {
    return 256 / 32;
  }

  @Override
  protected void checkLosses(List<Double> losses) {
    // Step 0 has an empty queue: the positive is the only candidate, so the loss is 0.
    assertThat(losses.get(0)).isCloseTo(0, within(1e-6));
  }
}
