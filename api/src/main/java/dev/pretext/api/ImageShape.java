package dev.pretext.api;

/**
 * The shape of one image in NCHW layout, without the batch dimension.
 *
 * @param channels 1 for grayscale, 3 for RGB (or Lab)
 * @param height pixels
 * @param width pixels
 */
public record ImageShape(int channels, int height, int width) {

  public ImageShape {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image shape must be positive, got " + channels + "x" + height + "x" + width);
    }
  }

  /** Number of values in one image. */
  public int size() {
    return channels * height * width;
  }

  /** The shape {@code [-1, C, H, W]} for a batch placeholder. */
  public long[] batchShape() {
    return new long[] {-1, channels, height, width};
  }

  /** The same spatial size with another channel count. */
  public ImageShape withChannels(int newChannels) {
    return new ImageShape(newChannels, height, width);
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
