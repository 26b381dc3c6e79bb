package dev.pretext.runtime.data;

import java.util.Objects;

/**
 * The images a method is pretrained on, and images of the same kind kept aside.
 *
 * @param train the unlabeled (or label-ignored) training images
 * @param heldOut images the method never trains on, for visuals and pretext-quality metrics: the
 *     held-out patches, the test split, or images set aside from an unlabeled folder; null when
 *     none were kept
 * @param description what the data is, for logs and results
 */
public record PretrainingData(ImageSet train, ImageSet heldOut, String description) {

  public PretrainingData {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(description, "description");
    if (heldOut != null && !heldOut.shape().equals(train.shape())) {
      throw new IllegalArgumentException("held-out images are " + heldOut.shape()
          + " but training images are " + train.shape());
    }
  }
}
