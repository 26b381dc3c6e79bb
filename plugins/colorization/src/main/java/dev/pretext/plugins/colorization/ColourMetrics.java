package dev.pretext.plugins.colorization;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How well predicted colours match the truth, next to the "predict grey" baseline (a = b = 0)
 * so that a reader can tell whether a model learned colour at all:
 *
 * <ul>
 *   <li>{@code ab_error}: mean Euclidean ab distance per pixel, in Lab units;
 *   <li>{@code psnr_db}: PSNR of the colourized RGB image (true L, predicted ab) against the true
 *       RGB image, values in [0, 1], capped at 100 dB;
 *   <li>{@code grey_ab_error}, {@code grey_psnr_db}: the same for a = b = 0.
 * </ul>
 */
final class ColourMetrics {

  private static final double MAX_PSNR = 100;
  /** Channels a and b of an {@code [N, 3, H, W]} Lab batch. */
  private static final INDArrayIndex[] AB = {
      NDArrayIndex.all(), NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all()};

  private ColourMetrics() {}

  /**
   * @param rgb the true images {@code [N, 3, H, W]} in [0, 1]
   * @param predictedAb {@code [N, 2, H, W]} at the images' resolution
   */
  static Map<String, Double> of(INDArray rgb, INDArray predictedAb) {
    INDArray lab = Lab.fromRgb(rgb);
    INDArray grey = Nd4j.zerosLike(predictedAb);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("ab_error", abError(lab, predictedAb));
    m.put("psnr_db", psnr(rgb, colourize(lab, predictedAb)));
    m.put("grey_ab_error", abError(lab, grey));
    m.put("grey_psnr_db", psnr(rgb, colourize(lab, grey)));
    return m;
  }

  /** The RGB image of the true lightness of {@code lab} with the ab channels {@code ab}. */
  static INDArray colourize(INDArray lab, INDArray ab) {
    INDArray mixed = lab.dup('c');
    mixed.get(AB).assign(ab);
    return Lab.toRgb(mixed);
  }

  private static double abError(INDArray lab, INDArray ab) {
    INDArray diff = lab.get(AB).sub(ab);
    INDArray distance = Transforms.sqrt(diff.mul(diff).sum(1), false);
    return distance.meanNumber().doubleValue();
  }

  private static double psnr(INDArray expected, INDArray actual) {
    INDArray diff = expected.sub(actual);
    double mse = diff.mul(diff).meanNumber().doubleValue();
    return mse <= 0 ? MAX_PSNR : Math.min(MAX_PSNR, 10 * Math.log10(1 / mse));
  }
}
