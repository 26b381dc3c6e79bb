package dev.pretext.toolkit.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pixel errors between images in [0, 1], for {@code PretextTask.pretextMetrics}: mean squared error
 * (optionally over a 0/1 mask, e.g. an inpainted hole) and the PSNR it corresponds to.
 */
public final class ImageErrors {

  private ImageErrors() {}

  /** Mean of (prediction − target)² over all elements. */
  public static double mse(INDArray prediction, INDArray target) {
    requireSameShape(prediction, target);
    INDArray diff = prediction.sub(target);
    return diff.mul(diff).sumNumber().doubleValue() / target.length();
  }

  /** Mean of (prediction − target)² over the elements where {@code mask} is 1; NaN if none are. */
  public static double mse(INDArray prediction, INDArray target, INDArray mask) {
    requireSameShape(prediction, target);
    requireSameShape(mask, target);
    double count = mask.sumNumber().doubleValue();
    if (count == 0) {
      return Double.NaN;
    }
    INDArray diff = prediction.sub(target).muli(mask);
    return diff.mul(diff).sumNumber().doubleValue() / count;
  }

  /** Peak signal-to-noise ratio in dB for images in [0, 1]: 10·log10(1 / mse). */
  public static double psnrDb(double mse) {
    return 10 * Math.log10(1 / mse);
  }

  private static void requireSameShape(INDArray a, INDArray b) {
    if (!java.util.Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException("shapes differ: " + java.util.Arrays.toString(a.shape())
          + " vs " + java.util.Arrays.toString(b.shape()));
    }
  }
}
