package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pretext.runtime.config.Suite;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact probe: its fits against optima computed independently, and its choice of L2 on a
 * validation split on data built to overfit — three classes told apart by two of 200 features, a
 * fifth of the training labels flipped at random.
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

  /** Chooses among {@code l2} on a fifth of the labels held out (at least 100 images). */
  private static Suite.ProbeSettings choosing(List<Double> l2) {
    return new Suite.ProbeSettings(100, 0, 64, 1e-3, 1e-4, l2, 0.2, 100, 20, 5);
  }

  private static Suite.ProbeSettings fixed(double l2) {
    return new Suite.ProbeSettings(100, 0, 64, 1e-3, l2);
  }

  private static LinearProbe.Evaluation probe(Suite.ProbeSettings settings) {
    return LinearProbe.evaluate(TRAIN.x(), TRAIN.y(), TEST.x(), TEST.y(), 3, settings, 1);
  }

  /** The gradient of the objective at the probe's solution, by the written-out double loops. */
  private static double[] gradientAtSolution(LinearProbe.Fitted fitted, INDArray x, int[] y, int classes, double l2) {
    double[][] standardized = fitted.standardize(x).castTo(DataType.DOUBLE).toDoubleMatrix();
    double[] gradient = new double[fitted.parameters().length];
    SoftmaxReference.evaluate(standardized, y, classes, l2, fitted.parameters(), gradient);
    return gradient;
  }

  @Test
  void theL2ThatGeneralizesIsChosenAndTheFixedProbeAtItIsRefittedOnAllLabels() {
    LinearProbe.Evaluation chosen = probe(choosing(List.of(1e-4, 0.5)));
    LinearProbe.Evaluation fixedStrong = probe(fixed(0.5));
    LinearProbe.Evaluation fixedWeak = probe(fixed(1e-4));

    assertThat(chosen.choice().l2()).isEqualTo(0.5);
    assertThat(chosen.choice().validationTop1()).isBetween(0.5, 1.0);
    // Refitted from scratch on all labels at the chosen L2: exactly the fixed probe at that L2.
    assertThat(chosen.result()).isEqualTo(fixedStrong.result());
    assertThat(chosen.choice().iterations()).isEqualTo(fixedStrong.choice().iterations()).isPositive();
    assertThat(chosen.result().top1()).isGreaterThan(fixedWeak.result().top1() + 0.05);
  }

  @Test
  void aTieOnValidationGoesToTheLargerL2() {
    // Well apart: every candidate scores 100 % on the held-out images.
    Random random = new Random(7);
    float[][] x = new float[400][5];
    int[] y = new int[400];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 2;
      for (int j = 0; j < 5; j++) {
        x[i][j] = (float) (random.nextGaussian() * 0.1 + (j == 0 ? 4 * y[i] : 0));
      }
    }
    LinearProbe.Fitted fitted = LinearProbe.fit(Nd4j.createFromArray(x), y, 2,
        new Suite.ProbeSettings(1, 0, 64, 1e-3, 1e-4, List.of(1e-4, 1e-2, 1e-3), 0.25, 50, 1, 1), 1);

    assertThat(fitted.choice().validationTop1()).isEqualTo(1.0);
    assertThat(fitted.choice().l2()).isEqualTo(1e-2);
  }

  @Test
  void oneSeedGivesOneChoiceAndOneResult() {
    LinearProbe.Fitted first = LinearProbe.fit(TRAIN.x(), TRAIN.y(), 3, choosing(List.of(1e-4, 0.5, 1e-2)), 1);
    LinearProbe.Fitted second = LinearProbe.fit(TRAIN.x(), TRAIN.y(), 3, choosing(List.of(1e-4, 0.5, 1e-2)), 1);

    assertThat(second.choice()).isEqualTo(first.choice());
    assertThat(second.parameters()).containsExactly(first.parameters());
    assertThat(second.scores(TEST.x())).isEqualTo(first.scores(TEST.x()));
  }

  @Test
  void tooFewHeldOutImagesChooseTheL2ByCrossValidationAndRefitAtIt() {
    // 200 of 1,000 would be held out, 201 are required: cross-validation chooses instead.
    Suite.ProbeSettings settings = new Suite.ProbeSettings(100, 0, 64, 1e-3, 1e-4, List.of(1e-4, 0.5), 0.2, 201, 1, 5);
    LinearProbe.Evaluation chosen = probe(settings);

    assertThat(LinearProbe.heldOutSize(1000, 3, settings)).isZero();
    assertThat(LinearProbe.heldOutSize(1005, 3, settings)).isEqualTo(201);
    // The noise features over-fit at 1e-4: cross-validation sees it, as the held-out split does.
    assertThat(chosen.choice().l2()).isEqualTo(0.5);
    assertThat(chosen.choice().validationTop1()).isBetween(0.5, 1.0);
    assertThat(chosen.result()).isEqualTo(probe(fixed(0.5)).result());
    assertThat(chosen.result().top1()).isGreaterThan(probe(fixed(1e-4)).result().top1() + 0.05);
    assertThat(probe(settings)).isEqualTo(chosen);
    // ... and one image per class must stay on each side, whatever the minimum.
    Suite.ProbeSettings tiny = new Suite.ProbeSettings(3, 0, 64, 1e-3, 1e-4, List.of(1e-5, 1e-3), 0.5, 1, 5, 5);
    assertThat(LinearProbe.heldOutSize(5, 3, tiny)).isZero();
    assertThat(LinearProbe.heldOutSize(6, 3, tiny)).isEqualTo(3);
  }

  @Test
  void withoutValidationOrWithAClassSeenOnceTheProbeFitsTheFixedL2() {
    Suite.ProbeSettings off = new Suite.ProbeSettings(100, 0, 64, 1e-3, 1e-4, List.of(1e-3, 0.5), 0.0, 1, 1, 5);
    LinearProbe.Evaluation fixed = probe(off);
    assertThat(fixed.choice().l2()).isEqualTo(1e-4);
    assertThat(fixed.choice().validationTop1()).isNaN();
    assertThat(fixed).isEqualTo(probe(fixed(1e-4)));
    assertThat(LinearProbe.crossValidates(new int[] {0, 0, 1, 1, 2}, 3)).isFalse();
    assertThat(LinearProbe.crossValidates(new int[] {0, 0, 1, 1, 2, 2}, 3)).isTrue();
  }

  @Test
  void aNonSeparableProblemIsSolvedToItsOptimum() {
    // Three overlapping classes in four features: the optimum is finite even without L2.
    Random random = new Random(11);
    int n = 300;
    float[][] x = new float[n][4];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(3);
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) (random.nextGaussian() * (1 + j) + (j == y[i] ? 1.5 : 0) + 10 * j);
      }
    }
    INDArray features = Nd4j.createFromArray(x);
    double l2 = 1e-2;
    LinearProbe.Fitted fitted = LinearProbe.fit(features, y, 3, fixed(l2), 1);
    double[] solution = fitted.parameters();
    double[][] standardized = fitted.standardize(features).castTo(DataType.DOUBLE).toDoubleMatrix();
    double[] gradient = new double[solution.length];
    double optimum = SoftmaxReference.evaluate(standardized, y, 3, l2, solution, gradient);

    assertThat(SoftmaxReference.norm(gradient)).isLessThan(1e-4);
    // No nearby point is lower: along each coordinate and along random directions.
    Random directions = new Random(12);
    for (int trial = 0; trial < solution.length + 20; trial++) {
      double[] moved = solution.clone();
      if (trial < solution.length) {
        moved[trial] += trial % 2 == 0 ? 1e-2 : -1e-2;
      } else {
        for (int k = 0; k < moved.length; k++) {
          moved[k] += 1e-2 * directions.nextGaussian();
        }
      }
      assertThat(SoftmaxReference.evaluate(standardized, y, 3, l2, moved, new double[solution.length]))
          .as("objective moved along direction %d", trial).isGreaterThanOrEqualTo(optimum);
    }
    // The folded head still gives the probe's probabilities.
    var head = fitted.head();
    INDArray folded = org.nd4j.linalg.ops.transforms.Transforms.softmax(
        features.mmul(head.weights()).addRowVector(head.bias()), false);
    assertThat(folded.sub(fitted.scores(features)).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void aSeparableProblemWithL2HasAFiniteOptimumMatchingABinaryNewtonSolve() {
    // One feature, two classes apart: without L2 the weights would grow without end.
    Random random = new Random(13);
    int n = 60;
    float[][] x = new float[n][1];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      x[i][0] = (float) ((y[i] == 1 ? 2 : -1) + random.nextDouble());
    }
    INDArray features = Nd4j.createFromArray(x);
    double l2 = 0.05;
    LinearProbe.Fitted fitted = LinearProbe.fit(features, y, 2, fixed(l2), 1);
    double[] p = fitted.parameters(); // w0, w1, b0, b1
    double[] standardized = fitted.standardize(features).castTo(DataType.DOUBLE).reshape(n).toDoubleVector();

    assertThat(LinearProbe.score(fitted.scores(features), y).top1()).isEqualTo(1.0);
    assertThat(SoftmaxReference.norm(gradientAtSolution(fitted, features, y, 2, l2))).isLessThan(1e-5);
    // At the optimum the penalized weights sum to zero, so the two-class softmax is logistic
    // regression with slope β = w1 − w0 penalized by (l2/4)·β², offset c = b1 − b0 free.
    double[] newton = binaryLogisticByNewton(standardized, y, l2 / 2);
    assertThat(p[0] + p[1]).isCloseTo(0, within(1e-6));
    assertThat(p[1] - p[0]).isCloseTo(newton[0], within(1e-5));
    assertThat(p[3] - p[2]).isCloseTo(newton[1], within(1e-5));
  }

  /**
   * {@code argmin over (β, c) of mean log(1 + exp(−s·(β·x + c))) + (λ/2)·β²}, s = ±1, by Newton's
   * method on the 2 × 2 system.
   */
  private static double[] binaryLogisticByNewton(double[] x, int[] y, double lambda) {
    double beta = 0;
    double c = 0;
    int n = x.length;
    for (int iteration = 0; iteration < 100; iteration++) {
      double gb = lambda * beta;
      double gc = 0;
      double hbb = lambda;
      double hbc = 0;
      double hcc = 0;
      for (int i = 0; i < n; i++) {
        double p = 1 / (1 + Math.exp(-(beta * x[i] + c)));
        double r = (p - y[i]) / n;
        double w = p * (1 - p) / n;
        gb += r * x[i];
        gc += r;
        hbb += w * x[i] * x[i];
        hbc += w * x[i];
        hcc += w;
      }
      double det = hbb * hcc - hbc * hbc;
      beta -= (hcc * gb - hbc * gc) / det;
      c -= (hbb * gc - hbc * gb) / det;
    }
    return new double[] {beta, c};
  }
}
