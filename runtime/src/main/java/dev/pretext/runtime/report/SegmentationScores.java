package dev.pretext.runtime.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What the segmentation protocol measured for one entry (results.json's {@code segmentation}, and
 * {@code segmentationFineTuned} for the fine-tuned variant).
 *
 * @param miou mean IoU over the classes present in the test masks
 * @param pixelAccuracy share of labeled test pixels classified right
 * @param classIou IoU per class name (classes neither present nor predicted left out)
 * @param l2 the per-pixel classifier's L2, chosen on held-out pixels; 0 when fine-tuned (none)
 * @param iterations L-BFGS iterations of its final fit; when fine-tuned, Adam steps
 * @param fittedPixels train pixels it was fitted on; when fine-tuned, the labelled pixels of the
 *     train scenes
 * @param stages the encoder stages read (1 = first, -1 = last); empty for raw pixels
 * @param data the scenes, in a line
 * @param seconds wall seconds: calibration, features, fit and scoring (fine-tuned: training too)
 * @param epochLosses fine-tuned only: the mean training loss of each epoch; null for the frozen probe
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SegmentationScores(double miou, double pixelAccuracy, Map<String, Double> classIou, double l2,
    int iterations, int fittedPixels, List<Integer> stages, String data, double seconds, List<Double> epochLosses) {

  /** The frozen probe's scores. */
  public SegmentationScores(double miou, double pixelAccuracy, Map<String, Double> classIou, double l2,
      int iterations, int fittedPixels, List<Integer> stages, String data, double seconds) {
    this(miou, pixelAccuracy, classIou, l2, iterations, fittedPixels, stages, data, seconds, null);
  }
}
