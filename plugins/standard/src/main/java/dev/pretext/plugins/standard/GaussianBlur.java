package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * With probability {@code probability} per image, blurs with a Gaussian of standard deviation
 * drawn uniformly from {@code sigma} (in pixels). As in SimCLR the kernel spans a fraction of the
 * image side ({@code kernel-fraction}, rounded to an odd size of at least 3); borders are
 * reflected. The kernel is separable: one horizontal and one vertical pass.
 */
final class GaussianBlur implements Augmentation {

  /** Validated settings. */
  record Settings(double sigmaMin, double sigmaMax, double kernelFraction, double probability) {
    static Settings from(Config c, String path) {
      dev.pretext.toolkit.Settings s = new dev.pretext.toolkit.Settings(c, path);
      double[] sigma = s.range("sigma", 0, 100, true);
      return new Settings(sigma[0], sigma[1], s.doubleInExclusiveMin("kernel-fraction", 0, 1),
          s.probability("probability"));
    }
  }

  private final Settings settings;

  GaussianBlur(Settings settings) {
    this.settings = settings;
  }

  /** Kernel side for an image whose smaller side is {@code side}: odd, at least 3. */
  int kernelSize(int side) {
    int k = (int) Math.round(settings.kernelFraction() * side);
    return Math.max(3, k % 2 == 0 ? k + 1 : k);
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    Pixels px = Pixels.copyOf(images);
    int side = Math.min(px.height, px.width);
    // A radius beyond side − 1 would reflect more than once; such a kernel is a flat blur anyway.
    int radius = Math.min(kernelSize(side) / 2, side - 1);
    float[] weights = new float[2 * radius + 1];
    float[] row = new float[px.plane()];
    for (int i = 0; i < px.n; i++) {
      if (random.nextDouble() >= settings.probability()) {
        continue;
      }
      gaussian(Pixels.uniform(random, settings.sigmaMin(), settings.sigmaMax()), weights);
      for (int c = 0; c < px.channels; c++) {
        blur(px.values, px.offset(i, c), px.height, px.width, weights, row);
      }
    }
    return px.toArray();
  }

  /** Normalized weights {@code exp(−d²/2σ²)} for offsets {@code −r..r}. */
  private static void gaussian(double sigma, float[] weights) {
    int radius = weights.length / 2;
    double sum = 0;
    double[] w = new double[weights.length];
    for (int d = -radius; d <= radius; d++) {
      w[d + radius] = Math.exp(-(d * d) / (2 * sigma * sigma));
      sum += w[d + radius];
    }
    for (int j = 0; j < w.length; j++) {
      weights[j] = (float) (w[j] / sum);
    }
  }

  /** Blurs one plane at {@code offset} in place, using {@code tmp} for the horizontal pass. */
  private static void blur(float[] v, int offset, int height, int width, float[] weights, float[] tmp) {
    int radius = weights.length / 2;
    for (int y = 0; y < height; y++) {
      int rowStart = offset + y * width;
      for (int x = 0; x < width; x++) {
        float acc = 0;
        for (int d = -radius; d <= radius; d++) {
          acc += weights[d + radius] * v[rowStart + reflect(x + d, width)];
        }
        tmp[y * width + x] = acc;
      }
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float acc = 0;
        for (int d = -radius; d <= radius; d++) {
          acc += weights[d + radius] * tmp[reflect(y + d, height) * width + x];
        }
        v[offset + y * width + x] = acc;
      }
    }
  }

  /** Index {@code i} reflected into {@code [0, n)} without repeating the edge (…2 1 | 0 1 2…). */
  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    if (i < 0) {
      return -i;
    }
    return i >= n ? 2 * n - 2 - i : i;
  }
}
