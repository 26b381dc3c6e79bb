package dev.pretext.plugins.standard;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch of images as a float array in NCHW order, for augmentations whose parameters differ per
 * image (crop box, blur sigma, jitter factors) and so cannot run as one ND4J op over the batch.
 */
final class Pixels {

  final int n;
  final int channels;
  final int height;
  final int width;
  final float[] values;

  private Pixels(int n, int channels, int height, int width, float[] values) {
    this.n = n;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.values = values;
  }

  /** A copy of {@code images} ({@code [N, C, H, W]}); the array itself is never modified. */
  static Pixels copyOf(INDArray images) {
    if (images.rank() != 4) {
      throw new IllegalArgumentException(
          "augmentations expect images [N, C, H, W], got shape " + Arrays.toString(images.shape()));
    }
    long[] s = images.shape();
    return new Pixels((int) s[0], (int) s[1], (int) s[2], (int) s[3],
        images.dup('c').data().asFloat());
  }

  /** An all-zero batch of the same shape. */
  Pixels blank() {
    return new Pixels(n, channels, height, width, new float[values.length]);
  }

  /** Values in one image plane. */
  int plane() {
    return height * width;
  }

  /** Offset of image {@code i}'s channel {@code c} plane. */
  int offset(int i, int c) {
    return (i * channels + c) * plane();
  }

  /** The batch as a new float array {@code [N, C, H, W]}. */
  INDArray toArray() {
    return Nd4j.create(values, new long[] {n, channels, height, width}, 'c');
  }

  /** Luma of an RGB pixel (ITU-R BT.601 weights, as torchvision's grayscale). */
  static float luma(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  /** {@code v} clamped to [0, 1]. */
  static float clamp01(float v) {
    return v < 0f ? 0f : (v > 1f ? 1f : v);
  }

  /** Uniform in [low, high). */
  static double uniform(java.util.Random random, double low, double high) {
    return low + (high - low) * random.nextDouble();
  }
}
