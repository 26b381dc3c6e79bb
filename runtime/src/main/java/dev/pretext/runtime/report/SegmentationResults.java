package dev.pretext.runtime.report;

/**
 * The segmentation protocol's outcome for one entry: the frozen probe's scores and the fine-tuned
 * variant's, each null when it is off, not applicable (raw pixels is not fine-tuned) or failed.
 */
public record SegmentationResults(SegmentationScores frozen, SegmentationScores fineTuned) {

  /** Nothing measured. */
  public static final SegmentationResults NONE = new SegmentationResults(null, null);
}
