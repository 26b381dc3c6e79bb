package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An immutable set of images with a class label per pixel, for semantic segmentation.
 *
 * <p>The images are an unlabeled {@link ImageSet} ({@code [N, C, H, W]} floats in [0, 1]). The
 * masks are one byte per pixel, read as unsigned: {@code N * H * W} bytes, image after image, each
 * in row-major (y, x) order — the layout of the images without the channel axis, so pixel
 * {@code (n, y, x)} of the images has its label at {@code n * H * W + y * W + x}. A byte rather
 * than an {@code int} per pixel because a mask set is as large as a grayscale image set (a byte
 * holds 255 classes, more than any segmentation benchmark here). A label is a class index into
 * {@link #classNames()} (index {@link #BACKGROUND} is the background), or {@link #IGNORE} for a
 * pixel that is scored and trained on by no one (VOC's object borders).
 */
public final class SegmentationSet {

  /** The label of background pixels; {@code classNames().get(0)} names it. */
  public static final int BACKGROUND = 0;

  /** The label of pixels to ignore in training and scoring (PASCAL VOC's convention). */
  public static final int IGNORE = 255;

  private final ImageSet images;
  private final byte[] masks;
  private final List<String> classNames;
  private final String description;

  /**
   * Copies the masks (so later changes to the array are not seen here).
   *
   * @param images the images; their labels, if any, are not used
   * @param masks {@code N * H * W} unsigned labels, see the class comment
   * @param classNames names of the classes, indexed by label, background first; 2 to 255 names
   * @param description where the scenes came from, for logs and reports
   * @throws IllegalArgumentException if the masks' length is not {@code N * H * W} or a label is
   *     neither a class index nor {@link #IGNORE}
   */
  public SegmentationSet(
      ImageSet images, byte[] masks, List<String> classNames, String description) {
    this.images = Objects.requireNonNull(images, "images");
    this.masks = Objects.requireNonNull(masks, "masks").clone();
    this.classNames = List.copyOf(classNames);
    this.description = Objects.requireNonNull(description, "description");
    if (this.classNames.size() < 2 || this.classNames.size() > IGNORE) {
      throw new IllegalArgumentException(
          "a segmentation set needs 2 to " + IGNORE + " class names (background first), got "
              + this.classNames.size());
    }
    int pixels = pixelsPerImage();
    long expected = (long) images.size() * pixels;
    if (this.masks.length != expected) {
      throw new IllegalArgumentException(
          this.masks.length + " mask bytes for " + images.size() + " images of " + images.shape()
              + "; need " + pixels + " (H * W) per image, " + expected + " in all");
    }
    for (int i = 0; i < this.masks.length; i++) {
      int label = this.masks[i] & 0xff;
      if (label >= this.classNames.size() && label != IGNORE) {
        throw new IllegalArgumentException(
            "label " + label + " of image " + i / pixels + " at (y " + (i % pixels) / width()
                + ", x " + i % width() + ") is neither a class 0.." + (this.classNames.size() - 1)
                + " nor the ignore label " + IGNORE);
      }
    }
  }

  /** Number of images. */
  public int size() {
    return images.size();
  }

  /** The shape of one image; a mask is its height x width. */
  public ImageShape shape() {
    return images.shape();
  }

  /** The images; their labels, if any, mean nothing here. */
  public ImageSet images() {
    return images;
  }

  /** Image {@code index} as a new {@code [1, C, H, W]} float array. */
  public INDArray image(int index) {
    return images.batch(new int[] {index});
  }

  /** A new {@code [k, C, H, W]} float array holding the images at {@code indices}, in order. */
  public INDArray batch(int[] indices) {
    return images.batch(indices);
  }

  /** The mask of image {@code index}: {@code H * W} labels, row-major, a copy. */
  public int[] mask(int index) {
    return masksOf(new int[] {index});
  }

  /** The masks of the images at {@code indices}, in order, concatenated: {@code k * H * W}. */
  public int[] masksOf(int[] indices) {
    int pixels = pixelsPerImage();
    int[] labels = new int[Math.multiplyExact(indices.length, pixels)];
    for (int i = 0; i < indices.length; i++) {
      int from = checkIndex(indices[i]) * pixels;
      for (int p = 0; p < pixels; p++) {
        labels[i * pixels + p] = masks[from + p] & 0xff;
      }
    }
    return labels;
  }

  /** The label of pixel {@code (y, x)} of image {@code index}. */
  public int label(int index, int y, int x) {
    if (y < 0 || y >= shape().height() || x < 0 || x >= width()) {
      throw new IndexOutOfBoundsException(
          "pixel (y " + y + ", x " + x + ") is outside " + shape().height() + " x " + width());
    }
    return masks[checkIndex(index) * pixelsPerImage() + y * width() + x] & 0xff;
  }

  /** How many pixels of the whole set carry each class, indexed by label; ignored ones are not. */
  public long[] pixelCounts() {
    long[] counts = new long[classNames.size()];
    for (byte b : masks) {
      int label = b & 0xff;
      if (label != IGNORE) {
        counts[label]++;
      }
    }
    return counts;
  }

  /** Class names indexed by label; index {@link #BACKGROUND} is the background. */
  public List<String> classNames() {
    return classNames;
  }

  /** Number of classes, background included. */
  public int classCount() {
    return classNames.size();
  }

  /** Where the scenes came from. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description + " (" + size() + " images of " + shape() + ", " + classCount()
        + " classes)";
  }

  private int pixelsPerImage() {
    return shape().height() * width();
  }

  private int width() {
    return shape().width();
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException(
          "index " + index + " out of range for " + size() + " images (" + description + ")");
    }
    return index;
  }
}
