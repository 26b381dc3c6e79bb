package dev.pretext.api;

import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a trained graph forward for a task's {@link PretextTask#writeVisuals visuals} and {@link
 * PretextTask#pretextMetrics pretext metrics}, the way the runtime runs it for the protocols: the
 * training flag set for inference (and restored after), the images in batches, a batch of one
 * padded (batch norm's batch reductions fail on a single image in DL4J M2.1). Provided by the
 * runtime; a task never sets the graph's training flag itself.
 *
 * <p>Every input is a batch of N items along its first dimension, the same N for all inputs;
 * every output has one row per item. The arrays returned are the caller's.
 *
 * @since 2.0
 */
public interface GraphRunner {

  /**
   * The outputs in inference mode: batch norm normalizes with its calibrated statistics, as for
   * the protocols, so an image's output does not depend on the others in its batch.
   *
   * @throws IllegalArgumentException when the inputs do not share their first dimension or an
   *     output has not one row per item
   */
  Map<String, INDArray> infer(SameDiff graph, Map<String, INDArray> inputs, String... outputs);

  /**
   * The outputs with batch norm on each batch's own statistics, as in training: for inputs whose
   * statistics differ from those of the whole images batch norm was calibrated on (corrupted or
   * masked images, images of another dataset). The batches are as large as the method's training
   * batches (split evenly, so that none is much smaller than the others).
   *
   * @throws IllegalArgumentException as {@link #infer}
   */
  Map<String, INDArray> inferWithBatchStatistics(SameDiff graph, Map<String, INDArray> inputs,
      String... outputs);
}
