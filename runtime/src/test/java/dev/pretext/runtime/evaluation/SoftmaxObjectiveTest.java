package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class SoftmaxObjectiveTest {

  private static final int N = 57;
  private static final int D = 6;
  private static final int K = 4;

  private static double[][] features(Random random) {
    double[][] x = new double[N][D];
    for (double[] row : x) {
      for (int j = 0; j < D; j++) {
        row[j] = random.nextGaussian() * (j + 1);
      }
    }
    return x;
  }

  private static void matchesTheReference(DataType type, double tolerance) {
    Random random = new Random(5);
    double[][] x = features(random);
    int[] y = random.ints(N, 0, K).toArray();
    double[] params = random.doubles(SoftmaxObjective.size(D, K), -1, 1).toArray();
    double[] expected = new double[params.length];
    double value = SoftmaxReference.evaluate(x, y, K, 0.3, params, expected);

    double[] gradient = new double[params.length];
    java.util.Arrays.fill(gradient, Double.NaN);
    SoftmaxObjective objective = new SoftmaxObjective(Nd4j.createFromArray(x).castTo(type), y, K, 0.3);

    assertThat(objective.evaluate(params, gradient)).isCloseTo(value, within(tolerance));
    for (int i = 0; i < params.length; i++) {
      assertThat(gradient[i]).as("gradient[%d]", i).isCloseTo(expected[i], within(tolerance));
    }
  }

  @Test
  void valueAndGradientAreThoseOfTheWrittenOutObjectiveInDouble() {
    matchesTheReference(DataType.DOUBLE, 1e-12);
  }

  @Test
  void valueAndGradientAreThoseOfTheWrittenOutObjectiveInFloat() {
    matchesTheReference(DataType.FLOAT, 1e-5);
  }

  /**
   * Along a line, value, slope and gradient are those of the written-out objective at {@code x +
   * α·d}, on lines that start where the previous one's step ended (logits carried from line to
   * line, then recomputed) — a wrong carried logit or a missing bias direction fails it.
   */
  @Test
  void alongALineValueSlopeAndGradientAreThoseOfTheWrittenOutObjective() {
    Random random = new Random(9);
    double[][] x = features(random);
    int[] y = random.ints(N, 0, K).toArray();
    SoftmaxObjective objective = new SoftmaxObjective(Nd4j.createFromArray(x), y, K, 0.3);
    double[] at = random.doubles(SoftmaxObjective.size(D, K), -1, 1).toArray();
    objective.evaluate(at, new double[at.length]);
    for (int lineIndex = 0; lineIndex < SoftmaxObjective.EXACT_EVERY + 3; lineIndex++) {
      double[] d = random.doubles(at.length, -1, 1).toArray();
      Lbfgs.Line line = objective.line(at, d);
      double step = 0.1 + 0.05 * lineIndex;
      double[] point = new double[at.length];
      for (int i = 0; i < at.length; i++) {
        point[i] = at[i] + step * d[i];
      }
      double[] expected = new double[at.length];
      double value = SoftmaxReference.evaluate(x, y, K, 0.3, point, expected);
      double[] slope = new double[1];
      line.value(step * 2, slope); // another trial step first: the gradient must not use its residuals
      assertThat(line.value(step, slope)).as("value on line %d", lineIndex).isCloseTo(value, within(1e-10));
      double expectedSlope = 0;
      for (int i = 0; i < at.length; i++) {
        expectedSlope += expected[i] * d[i];
      }
      assertThat(slope[0]).as("slope on line %d", lineIndex).isCloseTo(expectedSlope, within(1e-10));
      line.value(step * 3, slope);
      double[] gradient = new double[at.length];
      line.gradient(step, gradient);
      for (int i = 0; i < at.length; i++) {
        assertThat(gradient[i]).as("gradient[%d] on line %d", i, lineIndex).isCloseTo(expected[i], within(1e-10));
      }
      at = point;
    }
  }

  @Test
  void theSymmetricInverseInvertsTheMatrix() {
    int n = 30;
    double[][] a = SoftmaxReference.randomSpd(n, 6, 0.1);
    double[] flat = new double[n * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, flat, i * n, n);
    }
    double[] inverse = SoftmaxObjective.symmetricInverse(flat, n, 1e-12);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += inverse[i * n + k] * a[k][j];
        }
        assertThat(sum).as("(%d, %d)", i, j).isCloseTo(i == j ? 1 : 0, within(1e-9));
        assertThat(inverse[i * n + j]).as("symmetric (%d, %d)", i, j).isEqualTo(inverse[j * n + i]);
      }
    }
  }

  @Test
  void aMatrixRoundingLeftSlightlyIndefiniteIsStillInvertedToAPositiveDefiniteOne() {
    // Rank one, and its zero eigenvalues pushed just below zero: a plain Cholesky fails.
    int n = 5;
    double[] flat = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        flat[i * n + j] = 1 - (i == j ? 1e-12 : 0);
      }
    }
    double[] inverse = SoftmaxObjective.symmetricInverse(flat, n, 1e-6);
    // vᵀ·A⁻¹·v > 0 along the null space, where the matrix sees nothing.
    double[] v = {1, -1, 0, 0, 0};
    double quadratic = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        quadratic += v[i] * inverse[i * n + j] * v[j];
        assertThat(inverse[i * n + j]).isFinite();
      }
    }
    assertThat(quadratic).isPositive();
  }

  @Test
  void thePreconditionerInvertsTheHessianAtTheStart() {
    preconditionerInvertsTheHessianAtTheStart(N, D);
  }

  @Test
  void withFewerRowsThanFeaturesThePreconditionerStillInvertsTheHessian() {
    // The Woodbury form (label fractions: fewer images than pixels).
    preconditionerInvertsTheHessianAtTheStart(7, 15);
  }

  /**
   * On float features the preconditioner is applied in float: at the weakest L2 that allows it, on
   * correlated features like pixels, it stays within 10⁻³ of the double one (relative to its
   * largest entry) and positive definite, with more rows than features and with fewer (Woodbury).
   */
  @Test
  void theFloatPreconditionerIsTheDoubleOneRoundedAndStaysPositiveDefinite() {
    for (int rows : new int[] {300, 60}) {
      Random random = new Random(11);
      int dims = 120;
      double[][] x = new double[rows][dims];
      for (double[] row : x) {
        double shared = random.nextGaussian();
        for (int j = 0; j < dims; j++) {
          // Neighbouring "pixels" move together: a wide spread of covariance eigenvalues.
          row[j] = shared * Math.sin(j / 9.0) + 0.2 * random.nextGaussian() + (j > 0 ? 0.5 * row[j - 1] : 0);
        }
      }
      int[] y = random.ints(rows, 0, K).toArray();
      double l2 = SoftmaxObjective.FLOAT_RIDGE;
      Lbfgs.Preconditioner inFloat = new SoftmaxObjective(Nd4j.createFromArray(x).castTo(DataType.FLOAT), y, K, l2)
          .preconditioner();
      Lbfgs.Preconditioner inDouble = new SoftmaxObjective(Nd4j.createFromArray(x), y, K, l2).preconditioner();
      for (int trial = 0; trial < 5; trial++) {
        double[] v = random.doubles(SoftmaxObjective.size(dims, K), -1, 1).toArray();
        double[] f = v.clone();
        double[] d = v.clone();
        inFloat.apply(f);
        inDouble.apply(d);
        double largest = 0;
        double quadratic = 0;
        for (int i = 0; i < v.length; i++) {
          largest = Math.max(largest, Math.abs(d[i]));
          quadratic += v[i] * f[i];
        }
        for (int i = 0; i < v.length; i++) {
          assertThat(f[i]).as("%d rows: (M⁻¹·v)[%d]", rows, i).isCloseTo(d[i], within(1e-3 * largest));
        }
        assertThat(quadratic).as("%d rows: vᵀ·M⁻¹·v", rows).isPositive();
      }
    }
  }

  private static void preconditionerInvertsTheHessianAtTheStart(int rows, int dims) {
    Random random = new Random(7);
    double[][] x = new double[rows][dims];
    for (double[] row : x) {
      for (int j = 0; j < dims; j++) {
        row[j] = random.nextGaussian() * (j + 1);
      }
    }
    // Centred, as standardized features are.
    for (int j = 0; j < dims; j++) {
      double mean = 0;
      for (double[] row : x) {
        mean += row[j] / rows;
      }
      for (double[] row : x) {
        row[j] -= mean;
      }
    }
    int[] y = random.ints(rows, 0, K).toArray();
    SoftmaxObjective objective = new SoftmaxObjective(Nd4j.createFromArray(x), y, K, 0.05);
    // A direction whose class sums are zero, as every step the solver takes.
    double[] v = random.doubles(SoftmaxObjective.size(dims, K), -1, 1).toArray();
    for (int j = 0; j <= dims; j++) {
      double mean = 0;
      for (int c = 0; c < K; c++) {
        mean += v[index(c, j, dims)] / K;
      }
      for (int c = 0; c < K; c++) {
        v[index(c, j, dims)] -= mean;
      }
    }
    double[] u = v.clone();
    objective.preconditioner().apply(u);
    // Hessian·u at zero by central differences of the gradient: v again.
    double step = 1e-4;
    double[] plus = new double[u.length];
    double[] minus = new double[u.length];
    double[] up = new double[u.length];
    double[] down = new double[u.length];
    for (int i = 0; i < u.length; i++) {
      up[i] = step * u[i];
      down[i] = -step * u[i];
    }
    objective.evaluate(up, plus);
    objective.evaluate(down, minus);
    for (int i = 0; i < u.length; i++) {
      assertThat((plus[i] - minus[i]) / (2 * step)).as("(H·M⁻¹·v)[%d]", i).isCloseTo(v[i], within(1e-6));
    }
  }

  /** Index of class {@code c}'s weight on feature {@code j} (j = dims: its bias). */
  private static int index(int c, int j, int dims) {
    return j < dims ? c * dims + j : K * dims + c;
  }
}
