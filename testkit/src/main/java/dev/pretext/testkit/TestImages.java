package dev.pretext.testkit;

import dev.pretext.api.ImageShape;
import dev.pretext.runtime.data.ImageSet;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Images for a test: {@code [N, C, H, W]} floats in [0, 1] with one integer label per image (the
 * embedded sample's class), immutable. The sample's images come in a stratified, shuffled order,
 * so the first {@code n} of them cover every class.
 */
public final class TestImages {

  private final ImageSet set;

  TestImages(ImageSet set) {
    this.set = set;
  }

  /**
   * Images of your own, copied.
   *
   * @param images {@code [N, C, H, W]}, N ≥ 1, every value in [0, 1]
   * @param labels one non-negative label per image, or null for unlabeled images
   */
  public TestImages(INDArray images, int[] labels) {
    this(new ImageSet(images, labels, List.of(), "test images"));
  }

  /** Number of images. */
  public int size() {
    return set.size();
  }

  /** The shape of one image. */
  public ImageShape shape() {
    return set.shape();
  }

  /** All images, {@code [N, C, H, W]} (the set's own array: do not modify it). */
  public INDArray images() {
    return set.images();
  }

  /** The label of every image (a copy); throws if the images have none. */
  public int[] labels() {
    return set.labelsOf(IntStream.range(0, set.size()).toArray());
  }

  /** A new {@code [k, C, H, W]} array of the images at {@code indices}, in that order. */
  public INDArray batch(int... indices) {
    return set.batch(indices);
  }

  /** The images (and labels) at {@code indices}, in that order. */
  public TestImages subset(int... indices) {
    return new TestImages(set.subset(indices));
  }

  /** The first {@code n} images (all of them when there are fewer). */
  public TestImages first(int n) {
    return n >= set.size() ? this : subset(IntStream.range(0, n).toArray());
  }

  /** The runtime's view of these images, for the kit's internals. */
  ImageSet imageSet() {
    return set;
  }

  @Override
  public String toString() {
    return set.toString();
  }
}
