package dev.pretext.runtime.training;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear classifier on raw encoder features: {@code logits = h · weights + bias}, weights
 * {@code [D, classes]}, bias {@code [classes]}. Fine-tuning can start its head from one (LP-FT).
 */
public record LinearHead(INDArray weights, INDArray bias) {}
