package dev.pretext.runtime.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one method or baseline for one seed.
 *
 * @param kind {@code method} or {@code baseline}
 * @param status {@code ok} or {@code failed}
 * @param reason why it failed (null when ok)
 * @param stepLosses the loss of every pretraining step (for the loss plot)
 * @param metrics protocol name → metric name → value, e.g. {@code linear_probe.top1}
 * @param pretrainingData what the method (or the supervised baseline) was trained on, with the
 *     suite block it came from; null for baselines that train nothing
 * @param evaluationData the labeled data the protocols used
 * @param pretext the quality of the pretext task itself on held-out pretraining images, metric
 *     name → value (e.g. colorization's {@code ab_error}, {@code psnr_db}); null when the method
 *     reports none
 * @param evaluatedWith the frozen protocols' settings the metrics were computed with ({@code
 *     suite.evaluation} without fine-tune, rendered), so that a changed protocol is noticed per
 *     entry; null in results written before it was recorded
 * @param batchSize the batch size pretraining used: the configured one, or the number of training
 *     images when there were fewer; null for entries that pretrain nothing and in results written
 *     before it was recorded
 * @param provenance the plugin jars and data files that produced it, with their SHA-256; null in
 *     results written before it was recorded
 * @param evaluationSeconds wall seconds of the frozen protocols: batch-norm calibration, features
 *     of the train and test images, every probe and kNN (not fine-tuning, figures or pretraining);
 *     null for failed entries and in results written before it was recorded
 * @param segmentation the segmentation protocol's scores; null when it is off or failed for this entry
 * @param segmentationFineTuned the fine-tuned segmentation variant's scores (encoder unfrozen); null
 *     when it is off, failed, or does not apply (raw pixels)
 * @param encoder the encoder the entry trained or used, its type and the settings written for it
 *     (e.g. {@code conv4} or {@code conv4 channels=[16, 32]}); null for raw pixels and in results
 *     written before it was recorded
 * @param sweep the sweep point this entry is (its method and its value of each swept key); null
 *     for entries that are not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEntry(
    String name,
    String kind,
    String type,
    long seed,
    String status,
    String reason,
    double pretrainingSeconds,
    Long steps,
    Double imagesPerSecond,
    List<Double> epochLosses,
    List<Double> stepLosses,
    Map<String, Map<String, Double>> metrics,
    String pretrainingData,
    String evaluationData,
    Map<String, Double> pretext,
    String evaluatedWith,
    Integer batchSize,
    Provenance provenance,
    Double evaluationSeconds,
    SegmentationScores segmentation,
    SegmentationScores segmentationFineTuned,
    String encoder,
    SweepPoint sweep) {

  public static final String OK = "ok";
  public static final String FAILED = "failed";

  /** An entry that does not say which data it used (results written before that was recorded). */
  public ResultEntry(String name, String kind, String type, long seed, String status, String reason,
      double pretrainingSeconds, Long steps, Double imagesPerSecond, List<Double> epochLosses,
      List<Double> stepLosses, Map<String, Map<String, Double>> metrics) {
    this(name, kind, type, seed, status, reason, pretrainingSeconds, steps, imagesPerSecond,
        epochLosses, stepLosses, metrics, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The same entry, naming the data it was trained and evaluated on. */
  public ResultEntry withData(String pretraining, String evaluation) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretraining, evaluation, pretext, evaluatedWith, batchSize,
        provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry with the method's pretext-task metrics, in their order (an empty map is left out). */
  public ResultEntry withPretext(Map<String, Double> values) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData,
        values == null || values.isEmpty() ? null
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values)),
        evaluatedWith, batchSize, provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry, stamped with the frozen protocols' settings its metrics come from. */
  public ResultEntry withEvaluation(String settings) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext, settings,
        batchSize, provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry with other metrics (re-evaluated), everything else kept. */
  public ResultEntry withMetrics(Map<String, Map<String, Double>> values) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, values, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry, recording the batch size its pretraining used. */
  public ResultEntry withBatchSize(Integer used) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, used, provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry, recording what produced it. */
  public ResultEntry withProvenance(Provenance sources) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, sources, evaluationSeconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry, recording how long its frozen protocols took. */
  public ResultEntry withEvaluationSeconds(Double seconds) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, provenance, seconds, segmentation, segmentationFineTuned, encoder, sweep);
  }

  /** The same entry with the segmentation protocol's frozen and fine-tuned scores (either null: none). */
  public ResultEntry withSegmentation(SegmentationResults results) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, provenance, evaluationSeconds, results.frozen(), results.fineTuned(), encoder,
        sweep);
  }

  /** The same entry, naming the encoder it trained or used (null: none). */
  public ResultEntry withEncoder(String description) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, provenance, evaluationSeconds, segmentation, segmentationFineTuned, description, sweep);
  }

  /** The same entry, recording the sweep point it is (null: none). */
  public ResultEntry withSweep(SweepPoint point) {
    return new ResultEntry(name, kind, type, seed, status, reason, pretrainingSeconds, steps,
        imagesPerSecond, epochLosses, stepLosses, metrics, pretrainingData, evaluationData, pretext,
        evaluatedWith, batchSize, provenance, evaluationSeconds, segmentation, segmentationFineTuned, encoder, point);
  }

  /**
   * A sweep point: the swept method's name and this point's value of each swept key, by the key's
   * short name in the order of {@code keys} (the keys in full, e.g. {@code simclr.loss.temperature}).
   */
  public record SweepPoint(String method, List<String> keys, Map<String, String> values) {
    public SweepPoint {
      keys = keys == null ? List.of() : List.copyOf(keys);
      values = values == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
  }

  /** A failed entry that keeps whatever was measured before the failure. */
  public static ResultEntry failed(String name, String kind, String type, long seed, String reason) {
    return new ResultEntry(name, kind, type, seed, FAILED, reason, 0, null, null, null, null, Map.of());
  }

  public boolean ok() {
    return OK.equals(status);
  }
}
