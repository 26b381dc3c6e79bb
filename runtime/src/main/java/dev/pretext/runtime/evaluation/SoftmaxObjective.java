package dev.pretext.runtime.evaluation;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The linear probe's convex objective, L2-regularized multinomial logistic regression: the mean
 * cross-entropy of {@code softmax(x·Wᵀ + b)} over the rows of {@code x}, plus {@code (l2/2)·‖W‖²}
 * (the bias is not penalized — DL4J's {@code l2} means the same). Parameters are one vector:
 * {@code W} as {@code [classes, D]} row-major, then {@code b}.
 *
 * <p>The two matrix products per evaluation run in float (they stream the feature matrix, and
 * float halves the traffic; double features stay double); the softmax, the loss and the bias
 * gradient are summed in double, sequentially, so one input gives one result. Float rounding
 * bounds how closely the optimum is approached: on full Fashion-MNIST pixels the objective to about
 * 10⁻⁶ of itself, test top-1 within 2·10⁻⁴ of a fit in double, at half its cost. Both products
 * take their operands untransposed and read the same {@code [D, N]} copy of x: the logits as
 * {@code W·xᵀ} ({@code [K, N]}), the gradient as {@code xᵀ·residual}. OpenBLAS runs these skinny
 * products about a third faster than with a transposed operand, and one copy of the features
 * instead of two (x for the logits, xᵀ for the gradient) stays in the cache between them.
 *
 * <p>Along a line ({@link Lbfgs.LineObjective}) the logits are linear in the step, {@code z(α) =
 * z + α·zd}: the line costs one product for {@code zd}, each trial step only a softmax, and the step
 * taken one product for its gradient — two products per L-BFGS iteration instead of two per trial
 * step. Logits carried from line to line accumulate float rounding, so every {@value
 * #EXACT_EVERY}th line recomputes them from the parameters.
 */
final class SoftmaxObjective implements Lbfgs.LineObjective {

  /** Lines between exact recomputations of the carried logits. */
  static final int EXACT_EVERY = 10;

  private final Data data;
  private final double l2;
  /** The parameters whose logits (bias included) are carried to the next line, and their age. */
  private double[] carriedParams;
  private double[] carriedLogits;
  private int carriedLines;

  /**
   * @param x standardized features {@code [N, D]}
   * @param labels class of each row
   */
  SoftmaxObjective(INDArray x, int[] labels, int classes, double l2) {
    this(new Data(x, labels, classes), l2);
  }

  private SoftmaxObjective(Data data, double l2) {
    this.data = data;
    this.l2 = l2;
  }

  /** The same data at another L2 (what it computed once about the data is kept). */
  SoftmaxObjective withL2(double other) {
    return new SoftmaxObjective(data, other);
  }

  /** Length of the parameter vector for {@code dims} features and {@code classes} classes. */
  static int size(int dims, int classes) {
    return classes * dims + classes;
  }

  /** The L2 penalty. */
  double l2() {
    return l2;
  }

  /** Fewer rows than features: the {@link #preconditioner} is the low-rank (Woodbury) form. */
  boolean lowRank() {
    return data.rows < data.dims;
  }

  /** Length of this objective's parameter vector. */
  int size() {
    return size(data.dims, data.classes);
  }

  /** The features, their labels, scratch arrays and, once asked for, their second moment. */
  private static final class Data {
    private static final int BLOCK = 4096;

    final INDArray x;
    /** {@code xᵀ}, c order: the gradient's product without a transposed operand. */
    final INDArray xT;
    final int[] labels;
    final int classes;
    final int dims;
    final int rows;
    // Scratch of one evaluation, reused: allocating them each time cost more than the products.
    final INDArray weights;
    /** Logits class-major, {@code [K, N]}: {@code W·xᵀ} reads only {@code xᵀ}, as the gradient does. */
    final INDArray logitsT;
    final INDArray residualMatrix;
    final INDArray gradientT;
    final double[] residuals;
    final double[] transposed;
    final double[] logitsByClass;
    private double[][] secondMoment;

    Data(INDArray x, int[] labels, int classes) {
      if (x.rows() != labels.length) {
        throw new IllegalArgumentException(x.rows() + " feature rows for " + labels.length + " labels");
      }
      INDArray typed = x.dataType() == DataType.DOUBLE ? x : x.castTo(DataType.FLOAT);
      this.x = typed.ordering() == 'c' && !typed.isView() ? typed : typed.dup('c');
      this.xT = this.x.transpose().dup('c');
      this.labels = labels;
      this.classes = classes;
      this.dims = (int) x.columns();
      this.rows = labels.length;
      DataType type = this.x.dataType();
      this.weights = Nd4j.create(type, new long[] {classes, dims}, 'c');
      this.logitsT = Nd4j.create(type, new long[] {classes, rows}, 'c');
      this.residualMatrix = Nd4j.create(type, new long[] {rows, classes}, 'c');
      this.gradientT = Nd4j.create(type, new long[] {dims, classes}, 'c');
      this.residuals = new double[rows * classes];
      this.transposed = new double[dims * classes];
      this.logitsByClass = new double[classes * rows];
    }

    /**
     * {@code xᵀx / N}, {@code [D, D]}: float products over blocks of rows, summed in double, so that
     * rounding cannot make it indefinite at the scale of a small L2.
     */
    double[][] secondMoment() {
      if (secondMoment == null) {
        secondMoment = new double[dims][dims];
        try (INDArray product = Nd4j.create(x.dataType(), new long[] {dims, dims}, 'c')) {
          for (int start = 0; start < rows; start += BLOCK) {
            INDArray block = x.get(NDArrayIndex.interval(start, Math.min(rows, start + BLOCK)), NDArrayIndex.all());
            Nd4j.gemm(block, block, product, true, false, 1.0, 0.0);
            double[] p = product.data().asDouble();
            for (int i = 0; i < dims; i++) {
              for (int j = 0; j < dims; j++) {
                secondMoment[i][j] += p[i * dims + j] / rows;
              }
            }
          }
        }
      }
      return secondMoment;
    }

    /**
     * {@code x·Wᵀ + b} of a parameter vector into {@code out} ({@code [N, K]} row-major), computed
     * as {@code W·xᵀ}: with the gradient's {@code xᵀ·residual} it streams one copy of the features,
     * not two, and an iteration's two products ran 15–20 % faster so on 4,000–6,000 × 785.
     */
    void logits(double[] params, double[] out) {
      int size = classes * dims;
      write(params, size, weights);
      Nd4j.gemm(weights, xT, logitsT, false, false, 1.0, 0.0);
      double[] byClass = logitsByClass;
      read(logitsT, byClass);
      for (int c = 0; c < classes; c++) {
        double bias = params[size + c];
        for (int i = 0, from = c * rows; i < rows; i++) {
          out[i * classes + c] = byClass[from + i] + bias;
        }
      }
    }

    /**
     * The mean cross-entropy of logits {@code z}, and the residuals {@code (p − y)/N} (whose
     * product with x is the weight gradient) into {@link #residuals}.
     */
    double crossEntropy(double[] z) {
      double loss = 0;
      double[] e = new double[classes];
      for (int i = 0; i < rows; i++) {
        int offset = i * classes;
        int label = labels[i];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          max = Math.max(max, z[offset + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          e[c] = Math.exp(z[offset + c] - max);
          sum += e[c];
        }
        loss += Math.log(sum) + max - z[offset + label];
        for (int c = 0; c < classes; c++) {
          residuals[offset + c] = (e[c] / sum - (c == label ? 1 : 0)) / rows;
        }
      }
      return loss / rows;
    }

    /** The gradient from {@link #residuals} at {@code params} (penalty {@code l2}) into {@code gradient}. */
    void gradient(double[] params, double l2, double[] gradient) {
      int weights = classes * dims;
      write(residuals, residuals.length, residualMatrix);
      Nd4j.gemm(xT, residualMatrix, gradientT, false, false, 1.0, 0.0);
      read(gradientT, transposed);
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < dims; j++) {
          int k = c * dims + j;
          gradient[k] = transposed[j * classes + c] + l2 * params[k];
        }
      }
      Arrays.fill(gradient, weights, weights + classes, 0);
      for (int i = 0; i < rows; i++) {
        for (int c = 0; c < classes; c++) {
          gradient[weights + c] += residuals[i * classes + c];
        }
      }
    }
  }

  @Override
  public double evaluate(double[] params, double[] gradient) {
    double[] z = new double[data.rows * data.classes];
    data.logits(params, z);
    double loss = data.crossEntropy(z);
    data.gradient(params, l2, gradient);
    carry(params, z, 0);
    return loss + 0.5 * l2 * squaredWeights(params, params);
  }

  @Override
  public Lbfgs.Line line(double[] x, double[] d) {
    int n = data.rows * data.classes;
    double[] z0;
    int age;
    if (carriedParams != null && carriedLines < EXACT_EVERY && Arrays.equals(carriedParams, x)) {
      z0 = carriedLogits;
      age = carriedLines + 1;
    } else {
      z0 = new double[n];
      data.logits(x, z0);
      age = 0;
    }
    double[] zd = new double[n];
    data.logits(d, zd);
    double ww = squaredWeights(x, x);
    double wd = squaredWeights(x, d);
    double dd = squaredWeights(d, d);
    double[] z = new double[n];
    return new Lbfgs.Line() {
      private double evaluated = Double.NaN;

      @Override
      public double value(double step, double[] slope) {
        for (int i = 0; i < n; i++) {
          z[i] = z0[i] + step * zd[i];
        }
        double loss = data.crossEntropy(z);
        evaluated = step;
        double along = 0;
        for (int i = 0; i < n; i++) {
          along += data.residuals[i] * zd[i];
        }
        slope[0] = along + l2 * (wd + step * dd);
        return loss + 0.5 * l2 * (ww + 2 * step * wd + step * step * dd);
      }

      @Override
      public void gradient(double step, double[] gradient) {
        if (step != evaluated) {
          value(step, new double[1]);
        }
        double[] at = new double[x.length];
        for (int i = 0; i < at.length; i++) {
          at[i] = x[i] + step * d[i];
        }
        data.gradient(at, l2, gradient);
        carry(at, z.clone(), age);
      }
    };
  }

  private void carry(double[] params, double[] logits, int lines) {
    carriedParams = params.clone();
    carriedLogits = logits;
    carriedLines = lines;
  }

  /** {@code Σ a·b} over the weights (the bias left out: it is not penalized). */
  private double squaredWeights(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0, weights = data.classes * data.dims; k < weights; k++) {
      sum += a[k] * b[k];
    }
    return sum;
  }

  /**
   * The inverse of the Hessian at {@code W = 0, b = 0} on the parameters whose class sums are zero
   * (the only ones that move: softmax ignores a shift common to all classes, so every gradient
   * sums to zero over the classes but for the penalty's {@code l2·ΣW}, which stays zero from a
   * zero start). There every probability is {@code 1/K} and the Hessian is {@code (xᵀx/N)/K + l2·I}
   * per class and {@code 1/K} per bias. Far from the start it is only an approximation, which
   * L-BFGS corrects; what it removes is the spread of the features' covariance eigenvalues — 784
   * correlated pixels left unpreconditioned did not converge in 1,000 iterations. Costs one
   * {@code D × D} inverse per L2 (with fewer rows than features, by {@link #lowRankInverse}) and
   * one {@code [K, D]·[D, D]} product per use.
   */
  Lbfgs.Preconditioner preconditioner() {
    int classes = data.classes;
    int dims = data.dims;
    int weights = classes * dims;
    double perClass = 1.0 / classes;
    // Without L2 a floor keeps it invertible (collinear features, fewer rows than features) and
    // keeps rounding noise in directions the data never varies along from being magnified.
    double ridge = Math.max(l2, 1e-6);
    double[] exact = data.rows < dims ? lowRankInverse(ridge) : fullRankInverse(ridge);
    DataType type = data.x.dataType() == DataType.FLOAT && ridge >= FLOAT_RIDGE ? DataType.FLOAT : DataType.DOUBLE;
    INDArray inverse = Nd4j.create(exact, new long[] {dims, dims}, DataType.DOUBLE).castTo(type);
    INDArray w = Nd4j.create(type, new long[] {classes, dims}, 'c');
    INDArray product = Nd4j.create(type, new long[] {classes, dims}, 'c');
    return v -> {
      write(v, weights, w);
      Nd4j.gemm(w, inverse, product, false, false, 1.0, 0.0);
      read(product, v);
      for (int c = 0; c < classes; c++) {
        v[weights + c] /= perClass;
      }
    };
  }

  /**
   * The smallest ridge whose preconditioner is applied in float (to float features; double ones
   * keep double); below it, in double. In float the product is five times faster on 784 features
   * (the {@code D × D} inverse stays in the caches), and a preconditioner only has to be near the
   * inverse Hessian and positive definite: the inverse is made in double, exactly symmetric, and its
   * rounding to float, about {@code 10⁻⁷/ridge}, stays below its smallest eigenvalue, {@code
   * 1/(λmax(xᵀx/N)/K + ridge)}, for the L2 candidates (10⁻⁴ and up). Weaker ridges (L2 0 floors at
   * 10⁻⁶) keep double.
   */
  static final double FLOAT_RIDGE = 1e-4;

  /** {@code ((xᵀx/N)/K + ridge·I)⁻¹}, {@code D × D} row-major, from the features' second moment. */
  private double[] fullRankInverse(double ridge) {
    int dims = data.dims;
    double perClass = 1.0 / data.classes;
    double[] hessian = new double[dims * dims];
    double[][] moment = data.secondMoment();
    for (int i = 0; i < dims; i++) {
      for (int j = 0; j < dims; j++) {
        hessian[i * dims + j] = perClass * moment[i][j] + (i == j ? ridge : 0);
      }
    }
    return symmetricInverse(hessian, dims, ridge);
  }

  /**
   * The same inverse when there are fewer rows than features (label fractions: 60 or 600 images of
   * 784 pixels), by the Woodbury identity: with {@code A = xᵀx/(N·K)},
   * {@code (A + r·I)⁻¹ = (I − xᵀ·(N·K·r·I + x·xᵀ)⁻¹·x) / r} — an {@code N × N} inversion instead
   * of {@code D × D}. Made once, in double, as an explicit {@code D × D} matrix: applied as the
   * identity's three products per use (in float, the subtraction lost the small eigenvalues
   * and the fits at L2 10⁻⁴ stopped after a few iterations), it had cost more than the data's.
   */
  private double[] lowRankInverse(double ridge) {
    int dims = data.dims;
    int rows = data.rows;
    double[] inner = new double[rows * rows];
    double[] result = new double[dims * dims];
    try (INDArray x = data.x.castTo(DataType.DOUBLE);
        INDArray gram = Nd4j.create(DataType.DOUBLE, new long[] {rows, rows}, 'c')) {
      Nd4j.gemm(x, x, gram, false, true, 1.0, 0.0);
      read(gram, inner);
      for (int i = 0; i < rows; i++) {
        for (int j = i + 1; j < rows; j++) {
          inner[j * rows + i] = inner[i * rows + j];
        }
        inner[i * rows + i] += (double) rows * data.classes * ridge;
      }
      try (INDArray innerInverse = Nd4j.create(symmetricInverse(inner, rows, ridge), new long[] {rows, rows},
              DataType.DOUBLE);
          INDArray solved = innerInverse.mmul(x);
          INDArray projection = Nd4j.create(DataType.DOUBLE, new long[] {dims, dims}, 'c')) {
        Nd4j.gemm(x, solved, projection, true, false, 1.0, 0.0);
        read(projection, result);
      }
    }
    for (int i = 0; i < dims; i++) {
      for (int j = i; j < dims; j++) {
        // (I − xᵀ·G⁻¹·x) / r, exactly symmetric whatever the products' summation order did.
        double value = ((i == j ? 1 : 0) - result[i * dims + j]) / ridge;
        result[i * dims + j] = value;
        result[j * dims + i] = value;
      }
    }
    return result;
  }

  /**
   * The inverse of a symmetric positive definite {@code n × n} matrix (row-major): {@code L⁻ᵀ·L⁻¹}
   * from its Cholesky factor {@code L} ({@link #inverseCholeskyFactor}), the product native. A
   * pivot that rounding left non-positive is set to {@code floor}: for a preconditioner any
   * positive definite matrix will do. (Not LAPACK's {@code dpotrf}/{@code dpotri}: the OpenBLAS
   * 0.3.19 that ND4J ships fails them on this machine's AVX-512 kernels, docs/architecture.md.)
   */
  static double[] symmetricInverse(double[] a, int n, double floor) {
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = Arrays.copyOfRange(a, i * n, (i + 1) * n);
    }
    try (INDArray factor = Nd4j.createFromArray(inverseCholeskyFactor(rows, floor));
        INDArray inverse = Nd4j.create(DataType.DOUBLE, new long[] {n, n}, 'c')) {
      Nd4j.gemm(factor, factor, inverse, true, false, 1.0, 0.0);
      double[] result = new double[n * n];
      read(inverse, result);
      // Exactly symmetric, whatever the product's summation order did.
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          result[j * n + i] = result[i * n + j];
        }
      }
      return result;
    }
  }

  /**
   * {@code L⁻¹} for the Cholesky factor {@code L} of a symmetric positive definite matrix ({@code a
   * = L·Lᵀ}, L lower triangular). A pivot that rounding left non-positive is set to {@code floor}.
   */
  static double[][] inverseCholeskyFactor(double[][] a, double floor) {
    int n = a.length;
    double[][] l = new double[n][];
    for (int i = 0; i < n; i++) {
      l[i] = new double[i + 1];
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        if (j < i) {
          l[i][j] = s / l[j][j];
        } else {
          l[i][i] = Math.sqrt(s > floor ? s : floor);
        }
      }
    }
    // Row i of L⁻¹: (e_i − Σ_{k<i} L[i][k]·row k) / L[i][i], rows of a lower-triangular inverse.
    double[][] inverse = new double[n][n];
    for (int i = 0; i < n; i++) {
      double[] row = inverse[i];
      row[i] = 1;
      for (int k = 0; k < i; k++) {
        double lik = l[i][k];
        double[] other = inverse[k];
        for (int j = 0; j <= k; j++) {
          row[j] -= lik * other[j];
        }
      }
      for (int j = 0; j <= i; j++) {
        row[j] /= l[i][i];
      }
    }
    return inverse;
  }

  /**
   * The first {@code length} values into a c-order array without offset, float or double, in one
   * bulk copy (ND4J's element-wise {@code put} checked every index and took a fifth of a probe).
   */
  static void write(double[] values, int length, INDArray target) {
    if (target.dataType() == DataType.DOUBLE) {
      target.data().asNioDouble().put(values, 0, length);
    } else {
      float[] f = new float[length];
      for (int i = 0; i < length; i++) {
        f[i] = (float) values[i];
      }
      target.data().asNioFloat().put(f);
    }
  }

  /** A c-order array without offset, float or double, into the start of {@code out}, in one bulk copy. */
  static void read(INDArray source, double[] out) {
    int length = (int) source.length();
    if (source.dataType() == DataType.DOUBLE) {
      source.data().asNioDouble().get(out, 0, length);
    } else {
      float[] f = new float[length];
      source.data().asNioFloat().get(f);
      for (int i = 0; i < length; i++) {
        out[i] = f[i];
      }
    }
  }
}
