package dev.pretext.examples.simsiam;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import org.junit.jupiter.api.Test;

/**
 * The testkit's checks (placeholders, step hooks, checkpointed state, seeding, the loss falling on
 * the embedded sample, calibration, export) and SimSiam's own settings checks.
 */
class SimSiamTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "simsiam";
  }

  @Test
  void badSizesAreNamedByTheirPathInTheSuite() {
    assertThatThrownBy(() -> TestKit.task("simsiam", "projector.hidden = 0", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.projector.hidden").hasMessageContaining("got 0");
    assertThatThrownBy(() -> TestKit.task("simsiam", "predictor.output = 64", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.predictor.output").hasMessageContaining("must equal projector.output (128)");
  }
}
