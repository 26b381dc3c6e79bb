package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable set of images, {@code [N, C, H, W]} floats in [0, 1], with optional integer labels.
 *
 * <p>The pixels are held twice: as an ND4J array for whole-set operations and as a Java
 * {@code float[]}, because assembling a mini-batch by copying contiguous ranges out of a Java
 * array is much faster than gathering from an off-heap array element by element.
 */
public final class ImageSet {

  private final INDArray images;
  private final float[] pixels;
  private final int size;
  private final ImageShape shape;
  private final int[] labels;
  private final List<String> classNames;
  private final String description;

  /**
   * Copies {@code images} (so later changes to it are not seen here).
   *
   * @param images {@code [N, C, H, W]} with N at least 1 and every value in [0, 1]; any floating
   *     data type, stored as float
   * @param labels one label per image, or null for an unlabeled set; each label must be an index
   *     into {@code classNames} when that is not empty
   * @param classNames names of the classes, indexed by label; empty when unknown
   * @param description where the images came from, for logs and reports
   */
  public ImageSet(INDArray images, int[] labels, List<String> classNames, String description) {
    this(Pixels.copyOf(images), labels, classNames, description);
  }

  private ImageSet(Pixels pixels, int[] labels, List<String> classNames, String description) {
    this.images = pixels.array();
    this.pixels = pixels.values();
    this.size = (int) images.size(0);
    this.shape =
        new ImageShape((int) images.size(1), (int) images.size(2), (int) images.size(3));
    this.classNames = List.copyOf(classNames);
    this.description = Objects.requireNonNull(description, "description");
    this.labels = labels == null ? null : labels.clone();
    if (this.labels != null) {
      checkLabels(this.labels, size, this.classNames.size());
    }
  }

  /**
   * Images from unsigned bytes (0..255, as in IDX files), scaled to [0, 1].
   *
   * @param bytes {@code N * shape.size()} bytes, image after image, each in C, H, W order
   * @param shape the shape of one image
   * @param labels one label per image, or null
   * @param classNames names of the classes, indexed by label; empty when unknown
   * @param description where the images came from
   */
  public static ImageSet ofUnsignedBytes(
      byte[] bytes,
      ImageShape shape,
      int[] labels,
      List<String> classNames,
      String description) {
    if (bytes.length == 0 || bytes.length % shape.size() != 0) {
      throw new IllegalArgumentException(
          bytes.length + " bytes are not a positive whole number of " + shape + " images");
    }
    float[] pixels = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      pixels[i] = (bytes[i] & 0xff) / 255f;
    }
    return fromPixels(pixels, bytes.length / shape.size(), shape, labels, classNames, description);
  }

  /**
   * Picks {@code perClass} indices of each class 0..classCount-1 at random, returned in ascending
   * order. Classes are visited in ascending order with one {@link Random} seeded by {@code seed},
   * so the result depends only on the arguments.
   *
   * @throws IllegalArgumentException if a label is outside 0..classCount-1 or a class has fewer
   *     than {@code perClass} examples
   */
  public static int[] stratifiedIndices(int[] labels, int classCount, int perClass, long seed) {
    if (perClass <= 0 || classCount <= 0) {
      throw new IllegalArgumentException(
          "need a positive number of classes and of examples per class, got "
              + classCount
              + " classes and "
              + perClass
              + " per class");
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classCount; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classCount) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at index " + i + " is outside 0.." + (classCount - 1));
      }
      byClass.get(labels[i]).add(i);
    }
    Random random = new Random(seed);
    int[] chosen = new int[classCount * perClass];
    for (int c = 0; c < classCount; c++) {
      int[] members = byClass.get(c).stream().mapToInt(Integer::intValue).toArray();
      if (members.length < perClass) {
        throw new IllegalArgumentException(
            "class "
                + c
                + " has "
                + members.length
                + " examples, fewer than the "
                + perClass
                + " asked for");
      }
      // Partial Fisher-Yates: the first perClass slots end up a uniform sample without repeats.
      for (int i = 0; i < perClass; i++) {
        int j = i + random.nextInt(members.length - i);
        int swap = members[i];
        members[i] = members[j];
        members[j] = swap;
      }
      System.arraycopy(members, 0, chosen, c * perClass, perClass);
    }
    Arrays.sort(chosen);
    return chosen;
  }

  /** Number of images. */
  public int size() {
    return size;
  }

  /** The shape of one image. */
  public ImageShape shape() {
    return shape;
  }

  /** Whether every image has a label. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** All images, {@code [N, C, H, W]} float; shared, so treat it as read-only. */
  public INDArray images() {
    return images;
  }

  /** A copy of the labels, or null for an unlabeled set. */
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  /** Class names indexed by label; empty when unknown. */
  public List<String> classNames() {
    return classNames;
  }

  /** Where the images came from. */
  public String description() {
    return description;
  }

  /** A new set holding copies of the images (and labels) at {@code indices}, in that order. */
  public ImageSet subset(int[] indices) {
    float[] selected = gather(indices);
    int[] selectedLabels = labels == null ? null : labelsOf(indices);
    return fromPixels(
        selected,
        indices.length,
        shape,
        selectedLabels,
        classNames,
        description + ", subset of " + indices.length);
  }

  /**
   * {@code perClass} images of each class, chosen by {@link #stratifiedIndices}; the classes are
   * those of {@link #classNames()}, or 0 to the largest label when the names are unknown.
   */
  public ImageSet stratifiedSubset(int perClass, long seed) {
    int[] all = requireLabels();
    int classCount =
        classNames.isEmpty() ? Arrays.stream(all).max().orElse(0) + 1 : classNames.size();
    return subset(stratifiedIndices(all, classCount, perClass, seed));
  }

  /** A new {@code [k, C, H, W]} float array holding the images at {@code indices}, in order. */
  public INDArray batch(int[] indices) {
    return Nd4j.create(gather(indices), batchShape(indices.length), 'c');
  }

  /** The labels of the images at {@code indices}, in order. */
  public int[] labelsOf(int[] indices) {
    int[] all = requireLabels();
    int[] selected = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      selected[i] = all[checkIndex(indices[i])];
    }
    return selected;
  }

  /** The pixels in {@code [N, C, H, W]} order without a copy, for writers in this package. */
  float[] pixelArray() {
    return pixels;
  }

  @Override
  public String toString() {
    return description + " (" + size + " images of " + shape + (hasLabels() ? ", labeled)" : ")");
  }

  private float[] gather(int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("no indices given; a batch or subset needs at least one");
    }
    int imageSize = shape.size();
    float[] selected = new float[Math.multiplyExact(indices.length, imageSize)];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(
          pixels, checkIndex(indices[i]) * imageSize, selected, i * imageSize, imageSize);
    }
    return selected;
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(
          "index " + index + " out of range for " + size + " images (" + description + ")");
    }
    return index;
  }

  private int[] requireLabels() {
    if (labels == null) {
      throw new IllegalStateException(description + " has no labels");
    }
    return labels;
  }

  private long[] batchShape(int count) {
    return new long[] {count, shape.channels(), shape.height(), shape.width()};
  }

  /**
   * Images from floats already in [0, 1], taken without a copy (for loaders in this package).
   *
   * @param pixels {@code count * shape.size()} values, image after image, each in C, H, W order
   */
  static ImageSet fromFloats(float[] pixels, int count, ImageShape shape, int[] labels,
      List<String> classNames, String description) {
    if (pixels.length != (long) count * shape.size() || count == 0) {
      throw new IllegalArgumentException(
          pixels.length + " values are not " + count + " images of " + shape);
    }
    return fromPixels(pixels, count, shape, labels, classNames, description);
  }

  private static ImageSet fromPixels(
      float[] pixels,
      int count,
      ImageShape shape,
      int[] labels,
      List<String> classNames,
      String description) {
    long[] dims = {count, shape.channels(), shape.height(), shape.width()};
    return new ImageSet(
        new Pixels(Nd4j.create(pixels, dims, 'c'), pixels), labels, classNames, description);
  }

  /** The same pixels as an owned ND4J array and as a Java array. */
  private record Pixels(INDArray array, float[] values) {

    static Pixels copyOf(INDArray images) {
      if (images.rank() != 4) {
        throw new IllegalArgumentException(
            "images must be [N, C, H, W], got shape " + Arrays.toString(images.shape()));
      }
      if (images.size(0) == 0) {
        throw new IllegalArgumentException("an image set needs at least one image");
      }
      if (images.length() > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            images.length() + " values do not fit in one Java array; split the set");
      }
      if (!images.dataType().isFPType()) {
        throw new IllegalArgumentException(
            "images must be floating point in [0, 1], got " + images.dataType());
      }
      INDArray owned = images.castTo(DataType.FLOAT).dup('c');
      float[] values = owned.data().asFloat();
      for (int i = 0; i < values.length; i++) {
        // Written so that NaN fails too.
        if (!(values[i] >= 0f && values[i] <= 1f)) {
          throw new IllegalArgumentException(
              "pixel values must be in [0, 1], found " + values[i] + " at flat index " + i);
        }
      }
      return new Pixels(owned, values);
    }
  }

  private static void checkLabels(int[] labels, int size, int classCount) {
    if (labels.length != size) {
      throw new IllegalArgumentException(
          labels.length + " labels for " + size + " images; need one label per image");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || (classCount > 0 && labels[i] >= classCount)) {
        throw new IllegalArgumentException(
            "label "
                + labels[i]
                + " of image "
                + i
                + " is not a class index"
                + (classCount > 0 ? " 0.." + (classCount - 1) : " (must not be negative)"));
      }
    }
  }
}
