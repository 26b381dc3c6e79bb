package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state round trip on a task whose next inputs read checkpointed state: it passes when
 * loadState restores the state and fails when it does not ({@link CounterPlugin}); the step and
 * seeding checks pass on that task.
 */
class ConformanceChecksCanFailTest {

  /** The conformance of one task type, its checks called one by one (not run as a test class). */
  static final class Conformance extends PretextTaskConformance {
    private final String type;

    Conformance(String type) {
      this.type = type;
    }

    @Override
    protected String taskType() {
      return type;
    }
  }

  @Test
  void aTaskThatRestoresItsStateResumesAsIfUninterrupted(@TempDir Path dir) {
    assertThatCode(() -> new Conformance("counter").aFreshTaskGivenTheCheckpointedStateContinuesAsTheOriginal(dir))
        .doesNotThrowAnyException();
  }

  @Test
  void aTaskThatForgetsItsStateFailsTheResumeCheck(@TempDir Path dir) {
    assertThatThrownBy(() -> new Conformance("forgetful-counter")
        .aFreshTaskGivenTheCheckpointedStateContinuesAsTheOriginal(dir))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the state saved again after loading it");
  }

  @Test
  void theStepHooksAndSeedingChecksPassOnAStatefulTask() {
    Conformance counter = new Conformance("counter");
    assertThatCode(() -> {
      counter.preparesAndFeedsEveryPlaceholderOfItsGraph();
      counter.stepsThroughBeforeStepAndAfterStepTrainFiniteWeights();
      counter.oneSeedGivesOneRunAndAnotherSeedAnotherNetwork();
    }).doesNotThrowAnyException();
  }
}
