package dev.pretext.toolkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ImageErrorsTest {

  @Test
  void mseAndPsnrMatchHandValues() {
    var target = Nd4j.createFromArray(new float[] {0f, 0.5f, 1f, 1f}).reshape(1, 1, 2, 2);
    var prediction = Nd4j.createFromArray(new float[] {0.1f, 0.5f, 0.7f, 1f}).reshape(1, 1, 2, 2);
    // (0.01 + 0 + 0.09 + 0) / 4 = 0.025
    assertThat(ImageErrors.mse(prediction, target)).isCloseTo(0.025, within(1e-7));
    // Over the mask {1, 0, 1, 0}: (0.01 + 0.09) / 2 = 0.05
    var mask = Nd4j.createFromArray(new float[] {1f, 0f, 1f, 0f}).reshape(1, 1, 2, 2);
    assertThat(ImageErrors.mse(prediction, target, mask)).isCloseTo(0.05, within(1e-7));
    assertThat(ImageErrors.psnrDb(0.01)).isCloseTo(20.0, within(1e-12));
    assertThat(ImageErrors.mse(prediction, target, mask.mul(0))).isNaN();
  }

  @Test
  void differentShapesAreRefused() {
    assertThatThrownBy(() -> ImageErrors.mse(Nd4j.zeros(1, 1, 2, 2), Nd4j.zeros(1, 1, 2, 3)))
        .hasMessageContaining("[1, 1, 2, 2] vs [1, 1, 2, 3]");
  }
}
