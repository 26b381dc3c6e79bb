package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.config.Suite;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The probe's choice of stopping step and L2 on a validation split, on data built to overfit: three
 * classes told apart by two of 200 features, a fifth of the training labels flipped at random.
 */
class LinearProbeTest {

  private record Data(INDArray x, int[] y) {}

  private static final Data TRAIN = classes(1000, 200, 0.2, 1);
  private static final Data TEST = classes(2000, 200, 0.0, 2);

  private static Data classes(int n, int dims, double flipped, long seed) {
    Random random = new Random(seed);
    float[][] x = new float[n][dims];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = random.nextInt(3);
      for (int j = 0; j < dims; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      x[i][0] += (float) (3 * Math.cos(2 * Math.PI * c / 3));
      x[i][1] += (float) (3 * Math.sin(2 * Math.PI * c / 3));
      y[i] = random.nextDouble() < flipped ? random.nextInt(3) : c;
    }
    return new Data(Nd4j.createFromArray(x).castTo(DataType.FLOAT), y);
  }

  private static Suite.ProbeSettings choosing(List<Double> l2, int checks) {
    return new Suite.ProbeSettings(100, 0, 64, 1e-3, 1e-4, l2, 0.2, 100, checks, 5);
  }

  private static LinearProbe.Evaluation probe(Suite.ProbeSettings settings) {
    return LinearProbe.evaluate(TRAIN.x(), TRAIN.y(), TEST.x(), TEST.y(), 3, settings, 1);
  }

  @Test
  void choosingOnValidationStopsBeforeTheBudgetAndBeatsTheWholeBudgetOnTest() {
    LinearProbe.Evaluation whole = probe(new Suite.ProbeSettings(100, 0, 64, 1e-3, 0.0));
    LinearProbe.Evaluation stopped = probe(choosing(List.of(0.0, 0.5), 50));

    assertThat(whole.choice().epochs()).isEqualTo(100);
    assertThat(stopped.choice().epochs()).isLessThan(100);
    assertThat(stopped.result().top1()).isGreaterThan(whole.result().top1() + 0.05);
  }

  @Test
  void theL2ThatGeneralizesIsChosenAndRefittedOnAllLabels() {
    // One check, at the end of the budget: only the L2 is chosen.
    LinearProbe.Evaluation chosen = probe(choosing(List.of(0.0, 0.5), 1));
    LinearProbe.Evaluation fixedStrong = probe(new Suite.ProbeSettings(100, 0, 64, 1e-3, 0.5));
    LinearProbe.Evaluation fixedNone = probe(new Suite.ProbeSettings(100, 0, 64, 1e-3, 0.0));

    assertThat(chosen.choice().l2()).isEqualTo(0.5);
    assertThat(chosen.choice().epochs()).isEqualTo(100);
    // Refitted on all labels with the chosen L2 and passes: exactly the fixed probe's result.
    assertThat(chosen.result()).isEqualTo(fixedStrong.result());
    assertThat(chosen.result().top1()).isGreaterThan(fixedNone.result().top1() + 0.05);
  }

  @Test
  void oneSeedGivesOneChoiceAndOneResult() {
    assertThat(probe(choosing(List.of(0.0, 0.5), 20))).isEqualTo(probe(choosing(List.of(0.0, 0.5), 20)));
  }

  @Test
  void tooFewHeldOutImagesTrainTheWholeBudgetAtTheFixedL2() {
    // 200 of 1,000 would be held out, 201 are required: nothing is chosen.
    Suite.ProbeSettings settings = new Suite.ProbeSettings(100, 0, 64, 1e-3, 0.0, List.of(0.0, 0.5), 0.2, 201, 1, 5);
    LinearProbe.Evaluation fixed = probe(settings);

    assertThat(LinearProbe.heldOutSize(1000, 3, settings)).isZero();
    assertThat(LinearProbe.heldOutSize(1005, 3, settings)).isEqualTo(201);
    assertThat(fixed.choice().l2()).isZero();
    assertThat(fixed.choice().epochs()).isEqualTo(100);
    assertThat(fixed.choice().validationTop1()).isNaN();
    assertThat(fixed.result()).isEqualTo(probe(new Suite.ProbeSettings(100, 0, 64, 1e-3, 0.0)).result());
    // ... and one image per class must stay on each side, whatever the minimum.
    Suite.ProbeSettings tiny = new Suite.ProbeSettings(3, 0, 64, 1e-3, 1e-4, List.of(1e-5, 1e-3), 0.5, 1, 5, 5);
    assertThat(LinearProbe.heldOutSize(5, 3, tiny)).isZero();
    assertThat(LinearProbe.heldOutSize(6, 3, tiny)).isEqualTo(3);
  }
}
