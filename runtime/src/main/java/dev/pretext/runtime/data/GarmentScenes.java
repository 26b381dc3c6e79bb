package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Segmentation scenes made of Fashion-MNIST garments: each scene is a black canvas with a few
 * garments pasted at random positions, and its mask labels every pixel with the class of the
 * garment seen there (Fashion-MNIST label + 1) or {@link SegmentationSet#BACKGROUND}.
 *
 * <ul>
 *   <li><b>Foreground.</b> A garment's pixel is foreground when its intensity is above {@link
 *       Settings#threshold()} (default {@link #DEFAULT_THRESHOLD}); only foreground pixels are
 *       drawn, into both the image and the mask. Fashion-MNIST backgrounds are exactly 0, but the
 *       edges of a garment fade out over a pixel or two of very faint values; at 0.1 (bytes of 26
 *       and above) those halo pixels count as background, so a mask outlines what one sees as the
 *       garment. Because the rest is not drawn, every scene has {@code mask == 0} exactly where the
 *       image is 0, and a labelled pixel is always brighter than the threshold.
 *   <li><b>Z-order.</b> Garments are drawn one after the other; a later garment's foreground
 *       overwrites image and mask, its background pixels leave what is under them.
 *   <li><b>Placement and scale.</b> A garment's scale is uniform in [{@code min-scale}, {@code
 *       max-scale}]; it is resampled by nearest neighbour (so drawn values are real Fashion-MNIST
 *       intensities and the threshold means the same at any scale) to {@code round(28 * scale)}
 *       pixels a side, and placed uniformly at random fully inside the canvas.
 *   <li><b>Garment choice.</b> Each split's garments are taken in a seeded random order of its
 *       source images, reshuffled when used up, so every garment appears once before any appears
 *       twice and the classes are as balanced as the source.
 *   <li><b>Disjointness.</b> Train scenes draw only on the train images and test scenes only on the
 *       test images, so no garment is in both ({@link Scenes#layouts()} records each garment's
 *       source index).
 *   <li><b>Determinism.</b> One {@link SplittableRandom} seeded with the seed gives two
 *       independent streams, split off before anything is drawn: the first makes the train scenes,
 *       the second the test scenes. So the same inputs always give identical scenes, the test
 *       scenes do not change when the train count does (and vice versa), and the first k scenes of
 *       a split are the same whatever its count.
 * </ul>
 */
public final class GarmentScenes {

  /** Intensity a garment's pixel must exceed to be foreground; see the class comment. */
  public static final double DEFAULT_THRESHOLD = 0.1;

  /** Default canvas side, pixels: room for two to four 28-pixel garments with some overlap. */
  public static final int DEFAULT_CANVAS_SIZE = 64;

  /** The scene classes: background, then the Fashion-MNIST classes in their order (label + 1). */
  public static final List<String> CLASS_NAMES = classNames(FashionMnist.CLASS_NAMES);

  private GarmentScenes() {}

  /**
   * How to build the scenes. The compact constructor checks every setting and names each bad one
   * by its configuration key in one message.
   *
   * @param canvasSize side of the square canvas, pixels ({@code canvas-size})
   * @param minGarments fewest garments in a scene, at least 1 ({@code min-garments})
   * @param maxGarments most garments in a scene ({@code max-garments})
   * @param minScale smallest garment scale, above 0 ({@code min-scale})
   * @param maxScale largest garment scale ({@code max-scale}); a garment at it must fit the canvas,
   *     which {@link #build} checks against the source images
   * @param threshold intensity in [0, 1) a garment pixel must exceed to be drawn ({@code
   *     threshold})
   * @param trainScenes number of train scenes, at least 1 ({@code train-scenes})
   * @param testScenes number of test scenes, at least 1 ({@code test-scenes})
   */
  public record Settings(
      int canvasSize,
      int minGarments,
      int maxGarments,
      double minScale,
      double maxScale,
      double threshold,
      int trainScenes,
      int testScenes) {

    public Settings {
      List<String> problems = new ArrayList<>();
      if (canvasSize < 1) {
        problems.add("canvas-size must be at least 1, got " + canvasSize);
      }
      if (minGarments < 1) {
        problems.add("min-garments must be at least 1, got " + minGarments);
      }
      if (maxGarments < minGarments) {
        problems.add(
            "min-garments " + minGarments + " is above max-garments " + maxGarments);
      }
      if (!(minScale > 0) || Double.isInfinite(minScale)) {
        problems.add("min-scale must be a positive number, got " + minScale);
      }
      if (!(maxScale >= minScale) || Double.isInfinite(maxScale)) {
        problems.add("max-scale " + maxScale + " must be a number at least min-scale " + minScale);
      }
      if (!(threshold >= 0 && threshold < 1)) {
        problems.add("threshold must be in [0, 1), got " + threshold);
      }
      if (trainScenes < 1) {
        problems.add("train-scenes must be at least 1, got " + trainScenes);
      }
      if (testScenes < 1) {
        problems.add("test-scenes must be at least 1, got " + testScenes);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "bad garment-scene settings: " + String.join("; ", problems));
      }
    }

    /** 64 x 64 canvases with 2 to 4 garments at their own size, threshold 0.1. */
    public static Settings defaults(int trainScenes, int testScenes) {
      return new Settings(
          DEFAULT_CANVAS_SIZE, 2, 4, 1.0, 1.0, DEFAULT_THRESHOLD, trainScenes, testScenes);
    }
  }

  /**
   * One garment as drawn, in drawing order within its scene.
   *
   * @param source index of the garment in its split's source images
   * @param fashionLabel the garment's Fashion-MNIST label; its mask label is this + 1
   * @param top row of the garment's top edge on the canvas
   * @param left column of its left edge
   * @param height drawn height, pixels
   * @param width drawn width, pixels
   */
  public record Placement(int source, int fashionLabel, int top, int left, int height, int width) {}

  /**
   * The scenes of one split.
   *
   * @param set images and masks
   * @param layouts per scene, its garments in drawing order (later ones on top)
   */
  public record Scenes(SegmentationSet set, List<List<Placement>> layouts) {

    public Scenes {
      Objects.requireNonNull(set, "set");
      layouts = layouts.stream().map(List::copyOf).toList();
    }
  }

  /**
   * Train and test scenes.
   *
   * @param train scenes made of train garments only
   * @param test scenes made of test garments only
   */
  public record Built(Scenes train, Scenes test) {

    public Built {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
    }
  }

  /** Builds train scenes from {@code split.train()} and test scenes from {@code split.test()}. */
  public static Built build(FashionMnist.Split split, Settings settings, long seed) {
    return build(split.train(), split.test(), settings, seed);
  }

  /**
   * Builds train scenes from {@code train} and test scenes from {@code test}, deterministically
   * from {@code seed} (see the class comment).
   *
   * @param train labeled one-channel garments, with class names; the scenes' classes are
   *     "background" followed by these names
   * @param test like {@code train}, with the same shape and class names
   * @throws IllegalArgumentException if a source is unlabeled, not one channel, without class
   *     names, the two disagree, or a garment at {@code max-scale} (or {@code min-scale}) does not
   *     fit the canvas (or shrinks to nothing)
   */
  public static Built build(ImageSet train, ImageSet test, Settings settings, long seed) {
    checkSources(train, test, settings);
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom trainRandom = root.split();
    SplittableRandom testRandom = root.split();
    String what =
        settings.canvasSize() + " x " + settings.canvasSize() + " garment scenes ("
            + settings.minGarments() + "-" + settings.maxGarments() + " garments, scale "
            + settings.minScale() + "-" + settings.maxScale() + ", threshold "
            + settings.threshold() + ", seed " + seed + ")";
    return new Built(
        scenes(train, settings.trainScenes(), settings, trainRandom, what + ", train from "
            + train.description()),
        scenes(test, settings.testScenes(), settings, testRandom, what + ", test from "
            + test.description()));
  }

  private static Scenes scenes(
      ImageSet source,
      int count,
      Settings settings,
      SplittableRandom random,
      String description) {
    int side = settings.canvasSize();
    int canvasPixels = side * side;
    float[] images = new float[Math.multiplyExact(count, canvasPixels)];
    byte[] masks = new byte[images.length];
    float threshold = (float) settings.threshold();
    float[] garments = source.pixelArray();
    int[] labels = source.labels();
    ImageShape shape = source.shape();
    SourceOrder order = new SourceOrder(source.size(), random);
    List<List<Placement>> layouts = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      int garmentCount = random.nextInt(settings.minGarments(), settings.maxGarments() + 1);
      List<Placement> layout = new ArrayList<>(garmentCount);
      for (int g = 0; g < garmentCount; g++) {
        int index = order.next();
        double scale =
            settings.minScale() + (settings.maxScale() - settings.minScale()) * random.nextDouble();
        int height = scaled(shape.height(), scale);
        int width = scaled(shape.width(), scale);
        Placement placement =
            new Placement(
                index,
                labels[index],
                random.nextInt(side - height + 1),
                random.nextInt(side - width + 1),
                height,
                width);
        draw(garments, shape, placement, threshold, images, masks, n * canvasPixels, side);
        layout.add(placement);
      }
      layouts.add(layout);
    }
    ImageSet canvases =
        ImageSet.fromFloats(images, count, new ImageShape(1, side, side), null, List.of(),
            description);
    return new Scenes(
        new SegmentationSet(canvases, masks, classNames(source.classNames()), description),
        layouts);
  }

  /** Draws one garment's foreground, resampled by nearest neighbour, onto one canvas. */
  private static void draw(
      float[] garments,
      ImageShape shape,
      Placement placement,
      float threshold,
      float[] images,
      byte[] masks,
      int canvasOffset,
      int side) {
    int sourceOffset = placement.source() * shape.size();
    byte label = (byte) (placement.fashionLabel() + 1);
    for (int y = 0; y < placement.height(); y++) {
      int sy =
          Math.min(shape.height() - 1, (int) ((y + 0.5) * shape.height() / placement.height()));
      for (int x = 0; x < placement.width(); x++) {
        int sx = Math.min(shape.width() - 1, (int) ((x + 0.5) * shape.width() / placement.width()));
        float value = garments[sourceOffset + sy * shape.width() + sx];
        // Compared as floats so that a pixel stored as exactly the threshold is not above it.
        if (value > threshold) {
          int target = canvasOffset + (placement.top() + y) * side + placement.left() + x;
          images[target] = value;
          masks[target] = label;
        }
      }
    }
  }

  private static int scaled(int size, double scale) {
    return (int) Math.round(size * scale);
  }

  private static void checkSources(ImageSet train, ImageSet test, Settings settings) {
    for (ImageSet source : List.of(train, test)) {
      String which = source == train ? "train" : "test";
      if (!source.hasLabels() || source.classNames().isEmpty()) {
        throw new IllegalArgumentException(
            "garment scenes need labeled " + which + " images with class names; "
                + source.description() + " has "
                + (source.hasLabels() ? "no class names" : "no labels"));
      }
      if (source.shape().channels() != 1) {
        throw new IllegalArgumentException(
            "garment scenes need one-channel images; the " + which + " images are "
                + source.shape());
      }
    }
    if (!train.shape().equals(test.shape()) || !train.classNames().equals(test.classNames())) {
      throw new IllegalArgumentException(
          "train and test garments differ: " + train.shape() + " " + train.classNames() + " vs "
              + test.shape() + " " + test.classNames());
    }
    ImageShape shape = train.shape();
    int largest = Math.max(scaled(shape.height(), settings.maxScale()),
        scaled(shape.width(), settings.maxScale()));
    if (largest > settings.canvasSize()) {
      throw new IllegalArgumentException(
          "canvas-size " + settings.canvasSize() + " is smaller than a garment at max-scale "
              + settings.maxScale() + " (" + scaled(shape.height(), settings.maxScale()) + " x "
              + scaled(shape.width(), settings.maxScale()) + " pixels)");
    }
    if (scaled(shape.height(), settings.minScale()) < 1
        || scaled(shape.width(), settings.minScale()) < 1) {
      throw new IllegalArgumentException(
          "min-scale " + settings.minScale() + " shrinks a " + shape.height() + " x "
              + shape.width() + " garment to nothing");
    }
  }

  private static List<String> classNames(List<String> garmentClasses) {
    List<String> names = new ArrayList<>();
    names.add("background");
    names.addAll(garmentClasses);
    return List.copyOf(names);
  }

  /** Source indices in a random order, reshuffled each time all have been used. */
  private static final class SourceOrder {

    private final int[] indices;
    private final SplittableRandom random;
    private int position;

    SourceOrder(int size, SplittableRandom random) {
      this.indices = new int[size];
      for (int i = 0; i < size; i++) {
        indices[i] = i;
      }
      this.random = random;
      this.position = size;
    }

    int next() {
      if (position == indices.length) {
        for (int i = indices.length - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int swap = indices[i];
          indices[i] = indices[j];
          indices[j] = swap;
        }
        position = 0;
      }
      return indices[position++];
    }
  }
}
