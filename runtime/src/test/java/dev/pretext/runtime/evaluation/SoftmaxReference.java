package dev.pretext.runtime.evaluation;

/**
 * The probe's objective written out in plain double loops, to check {@link SoftmaxObjective} and
 * the probe's solutions against: mean cross-entropy of {@code softmax(x·Wᵀ + b)} plus {@code
 * (l2/2)·‖W‖²}, parameters {@code W} ({@code [classes, D]} row-major) then {@code b}.
 */
final class SoftmaxReference {

  private SoftmaxReference() {}

  /** The objective at {@code params}; its gradient goes into {@code gradient}. */
  static double evaluate(double[][] x, int[] y, int classes, double l2, double[] params, double[] gradient) {
    int n = x.length;
    int d = x[0].length;
    java.util.Arrays.fill(gradient, 0);
    double loss = 0;
    for (int i = 0; i < n; i++) {
      double[] logits = new double[classes];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        logits[c] = params[classes * d + c];
        for (int j = 0; j < d; j++) {
          logits[c] += params[c * d + j] * x[i][j];
        }
        max = Math.max(max, logits[c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits[c] - max);
      }
      loss += max + Math.log(sum) - logits[y[i]];
      for (int c = 0; c < classes; c++) {
        double residual = Math.exp(logits[c] - max) / sum - (c == y[i] ? 1 : 0);
        for (int j = 0; j < d; j++) {
          gradient[c * d + j] += residual * x[i][j] / n;
        }
        gradient[classes * d + c] += residual / n;
      }
    }
    double penalty = 0;
    for (int k = 0; k < classes * d; k++) {
      penalty += params[k] * params[k];
      gradient[k] += l2 * params[k];
    }
    return loss / n + 0.5 * l2 * penalty;
  }

  static double norm(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  /** A random symmetric positive-definite matrix {@code MᵀM + ridge·I}, M Gaussian. */
  static double[][] randomSpd(int n, long seed, double ridge) {
    java.util.Random random = new java.util.Random(seed);
    double[][] m = new double[n][n];
    for (double[] row : m) {
      for (int j = 0; j < n; j++) {
        row[j] = random.nextGaussian();
      }
    }
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < n; k++) {
          a[i][j] += m[k][i] * m[k][j];
        }
      }
      a[i][i] += ridge;
    }
    return a;
  }
}
