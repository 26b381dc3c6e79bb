package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LbfgsTest {

  private static final Lbfgs.Settings TIGHT = new Lbfgs.Settings(10, 1000, 1e-10, 0);

  /**
   * {@code f(x) = ½·(x − x*)ᵀA(x − x*)} with A symmetric positive definite: minimum 0 at x*. (Written
   * around x*, not as {@code ½·xᵀAx − bᵀx}, so that the value near the minimum carries no
   * cancellation and the solver can be asked for any precision.)
   */
  private record Quadratic(double[][] a, double[] optimum) implements Lbfgs.Objective {
    @Override
    public double evaluate(double[] x, double[] gradient) {
      double f = 0;
      for (int i = 0; i < x.length; i++) {
        double ad = 0;
        for (int j = 0; j < x.length; j++) {
          ad += a[i][j] * (x[j] - optimum[j]);
        }
        gradient[i] = ad;
        f += 0.5 * (x[i] - optimum[i]) * ad;
      }
      return f;
    }
  }

  /** The extended Rosenbrock function, {@code Σ 100·(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)²}, minimum 0 at all ones. */
  private static double rosenbrock(double[] x, double[] gradient) {
    double f = 0;
    for (int i = 0; i < x.length; i += 2) {
      double u = x[i + 1] - x[i] * x[i];
      double v = 1 - x[i];
      f += 100 * u * u + v * v;
      gradient[i] = -400 * x[i] * u - 2 * v;
      gradient[i + 1] = 200 * u;
    }
    return f;
  }

  private static double[] rosenbrockStart(int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i += 2) {
      x[i] = -1.2;
      x[i + 1] = 1;
    }
    return x;
  }

  /** A random SPD matrix {@code MᵀM + 0.01·I}, condition number in the thousands. */
  private static double[][] spd(int n, long seed) {
    return SoftmaxReference.randomSpd(n, seed, 0.01);
  }

  @Test
  void findsTheOptimumOfAnIllConditionedConvexQuadratic() {
    int n = 40;
    double[] optimum = new Random(3).doubles(n, -2, 2).toArray();
    Lbfgs.Result result = Lbfgs.minimize(new Quadratic(spd(n, 4), optimum), new double[n],
        new Lbfgs.Settings(10, 1000, 1e-12, 0));

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.GRADIENT);
    for (int i = 0; i < n; i++) {
      assertThat(result.x()[i]).as("x[%d]", i).isCloseTo(optimum[i], within(1e-6));
    }
  }

  @Test
  void findsTheMinimumOfTheRosenbrockFunction() {
    Lbfgs.Result result = Lbfgs.minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1}, TIGHT);

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.GRADIENT);
    assertThat(result.x()[0]).isCloseTo(1, within(1e-7));
    assertThat(result.x()[1]).isCloseTo(1, within(1e-7));
    assertThat(result.value()).isLessThan(1e-14);
    // L-BFGS needs a few dozen iterations here (steepest descent: thousands).
    assertThat(result.iterations()).isLessThan(100);
  }

  @Test
  void findsTheMinimumOfTheExtendedRosenbrockFunction() {
    Lbfgs.Result result = Lbfgs.minimize(LbfgsTest::rosenbrock, rosenbrockStart(20), TIGHT);

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.GRADIENT);
    for (double v : result.x()) {
      assertThat(v).isCloseTo(1, within(1e-7));
    }
  }

  @Test
  void stopsAtTheIterationCapAndLeavesTheStartAlone() {
    double[] start = rosenbrockStart(4);
    Lbfgs.Result result = Lbfgs.minimize(LbfgsTest::rosenbrock, start, new Lbfgs.Settings(10, 5, 1e-10, 0));

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.MAX_ITERATIONS);
    assertThat(result.iterations()).isEqualTo(5);
    assertThat(result.evaluations()).isGreaterThan(5);
    assertThat(result.value()).isLessThan(rosenbrock(start, new double[4]));
    assertThat(start).containsExactly(rosenbrockStart(4));
  }

  @Test
  void aStartAtTheOptimumTakesNoStep() {
    Lbfgs.Result result = Lbfgs.minimize(LbfgsTest::rosenbrock, new double[] {1, 1, 1, 1}, TIGHT);

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.GRADIENT);
    assertThat(result.iterations()).isZero();
    assertThat(result.evaluations()).isEqualTo(1);
  }

  @Test
  void stopsWhenTheValueNoLongerFalls() {
    Lbfgs.Result loose = Lbfgs.minimize(LbfgsTest::rosenbrock, rosenbrockStart(2),
        new Lbfgs.Settings(10, 1000, 0, 1e-3));

    assertThat(loose.stop()).isEqualTo(Lbfgs.Stop.VALUE);
    assertThat(loose.iterations()).isLessThan(
        Lbfgs.minimize(LbfgsTest::rosenbrock, rosenbrockStart(2), TIGHT).iterations());
  }

  @Test
  void stopsWhenRoundingLeavesNoDescent() {
    // The value is rounded to 1e-6: near the minimum no step lowers it, whatever the gradient says.
    Lbfgs.Objective rounded = (x, g) -> Math.rint(rosenbrock(x, g) * 1e6) / 1e6;
    Lbfgs.Result result = Lbfgs.minimize(rounded, rosenbrockStart(2), TIGHT);

    assertThat(result.stop()).isEqualTo(Lbfgs.Stop.NO_PROGRESS);
    assertThat(result.x()[0]).isCloseTo(1, within(1e-2));
  }

  @Test
  void theSameProblemGivesTheSameIterates() {
    Lbfgs.Result first = Lbfgs.minimize(LbfgsTest::rosenbrock, rosenbrockStart(10), TIGHT);
    Lbfgs.Result second = Lbfgs.minimize(LbfgsTest::rosenbrock, rosenbrockStart(10), TIGHT);

    assertThat(Arrays.equals(first.x(), second.x())).isTrue();
    assertThat(second.iterations()).isEqualTo(first.iterations());
  }

  @Test
  void aPreconditionerThatInvertsTheHessianSolvesAQuadraticInOneStep() {
    // Curvatures from 1 to 10⁶ along the axes.
    int n = 30;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      a[i][i] = Math.pow(10, 6.0 * i / (n - 1));
    }
    double[] optimum = new Random(8).doubles(n, -1, 1).toArray();
    Quadratic f = new Quadratic(a, optimum);
    Lbfgs.Preconditioner inverse = v -> {
      for (int i = 0; i < n; i++) {
        v[i] /= a[i][i];
      }
    };
    Lbfgs.Result plain = Lbfgs.minimize(f, new double[n], TIGHT);
    Lbfgs.Result preconditioned = Lbfgs.minimize(f, new double[n], TIGHT, inverse);

    assertThat(preconditioned.iterations()).isEqualTo(1);
    assertThat(plain.iterations()).isGreaterThan(10);
    for (int i = 0; i < n; i++) {
      assertThat(preconditioned.x()[i]).isCloseTo(optimum[i], within(1e-9));
    }
  }
}
