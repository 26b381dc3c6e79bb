package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.learning.config.Adam;

class WarmupCosineScheduleTest {

  @Test
  void warmsUpLinearlyThenFollowsAHalfCosineToZero() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 2, 6);
    assertThat(s.valueAt(0, 0)).isCloseTo(0.5, within(1e-12));
    assertThat(s.valueAt(1, 0)).isCloseTo(1.0, within(1e-12));
    assertThat(s.valueAt(2, 0)).isCloseTo(1.0, within(1e-12));
    // 3 of 4 decay steps: 0.5 * (1 + cos(0.75 pi)) = 0.1464
    assertThat(s.valueAt(5, 0)).isCloseTo(0.5 * (1 - Math.sqrt(0.5)), within(1e-12));
    assertThat(s.valueAt(6, 0)).isCloseTo(0.0, within(1e-12));
    assertThat(s.valueAt(60, 0)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void withoutWarmupStartsAtTheBaseRate() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(0.002, 0, 100);
    assertThat(s.valueAt(0, 0)).isEqualTo(0.002);
    assertThat(s.valueAt(50, 0)).isCloseTo(0.001, within(1e-12));
  }

  @Test
  void survivesTheJsonRoundTripCheckpointsUse() {
    TrainingConfig config = TrainingConfig.builder()
        .updater(new Adam(new WarmupCosineSchedule(0.01, 3, 30)))
        .dataSetFeatureMapping(List.of("x")).markLabelsUnused().build();
    Adam restored = (Adam) TrainingConfig.fromJson(config.toJson()).getUpdater();
    assertThat(restored.getLearningRate(10, 0)).isEqualTo(new WarmupCosineSchedule(0.01, 3, 30).valueAt(10, 0));
  }

  @Test
  void rejectsWarmupLongerThanTraining() {
    assertThatThrownBy(() -> new WarmupCosineSchedule(0.1, 7, 6)).hasMessageContaining("warm-up steps (7)");
  }
}
