package dev.pretext.plugins.colorization;

import java.util.Arrays;

/**
 * Class rebalancing of Zhang et al. (2016): each pixel's loss is weighted by
 * {@code w(q*) ∝ ((1 − λ)·p̃(q*) + λ/Q)⁻¹} for its nearest bin q*, where p̃ is the empirical bin
 * distribution smoothed by a Gaussian over ab distances, and the weights are scaled so that
 * {@code Σ p̃·w = 1}. Rare, saturated colours thus count more than the grays that dominate
 * natural images, which keeps the predictions from collapsing to desaturated colours.
 *
 * <p>The task never sees the dataset up front, so p is counted online from every batch prepared
 * so far (the current one included); it settles after a few batches. Only the prefetch thread
 * calls {@link #addAndWeigh}; the counts restart after a resume.
 */
final class Rebalancing {

  private final double lambda;
  private final float[][] kernel;
  private final double[] counts;

  /**
   * @param lambda the weight of the uniform distribution in the mix, in [0, 1]
   * @param sigma the smoothing kernel's width in ab units
   */
  Rebalancing(AbBins bins, double lambda, double sigma) {
    int q = bins.count();
    this.lambda = lambda;
    this.kernel = new float[q][q];
    for (int i = 0; i < q; i++) {
      for (int j = 0; j < q; j++) {
        kernel[i][j] = (float) Math.exp(-bins.distance2(i, j) / (2 * sigma * sigma));
      }
    }
    this.counts = new double[q];
  }

  /** Adds a batch's nearest bins to the counts and returns the per-bin weights after it. */
  synchronized float[] addAndWeigh(int[] nearestBins) {
    for (int q : nearestBins) {
      counts[q]++;
    }
    return weights();
  }

  /** The per-bin weights for the counts so far (all 1 before any count). */
  synchronized float[] weights() {
    int q = counts.length;
    double total = 0;
    for (double c : counts) {
      total += c;
    }
    float[] w = new float[q];
    if (total == 0) {
      Arrays.fill(w, 1f);
      return w;
    }
    double[] smooth = new double[q];
    double smoothTotal = 0;
    for (int i = 0; i < q; i++) {
      double s = 0;
      for (int j = 0; j < q; j++) {
        s += kernel[i][j] * counts[j];
      }
      smooth[i] = s;
      smoothTotal += s;
    }
    double expectation = 0;
    for (int i = 0; i < q; i++) {
      smooth[i] /= smoothTotal;
      w[i] = (float) (1 / ((1 - lambda) * smooth[i] + lambda / q));
      expectation += smooth[i] * w[i];
    }
    for (int i = 0; i < q; i++) {
      w[i] = (float) (w[i] / expectation);
    }
    return w;
  }
}
