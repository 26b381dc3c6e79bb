package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import dev.pretext.runtime.Stratified;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Images in a folder tree, PNG or JPEG, decoded with {@code javax.imageio}.
 *
 * <ul>
 *   <li><b>Labeled</b> ({@code labels = folders}): one subfolder per class, class names = folder
 *       names sorted; images anywhere below a class folder belong to it. If the folder holds
 *       {@code train} and {@code test} subfolders, each of them holds the class folders and gives
 *       the split; otherwise a seeded, stratified {@code test-fraction} of every class is the test
 *       split.
 *   <li><b>Unlabeled</b> ({@code labels = none}): every image anywhere below the folder.
 * </ul>
 *
 * <p>Files are walked recursively and sorted by their relative path, so the order (and with the
 * seed every sample) is the same on every machine. Files with other extensions are ignored and
 * counted. A file that does not decode is skipped with a warning naming it; a folder where nothing
 * decodes fails. Gray images become three equal channels when the set is RGB, and colour images
 * become luma (Rec. 601) when it is gray.
 */
public final class ImageFolder {

  /** File extensions read, lower case. */
  public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg");

  /** Warnings naming single files stop after this many; the rest are counted. */
  static final int NAMED_WARNINGS = 10;

  private ImageFolder() {}

  /** The image files below a folder, sorted by relative path, and what else was found. */
  record Listing(Path root, List<Path> images, Map<String, Integer> ignored) {

    /** "12 .webp, 3 .svg" for messages; empty when nothing was ignored. */
    String ignoredSummary() {
      List<String> parts = new ArrayList<>();
      ignored.forEach((ext, n) -> parts.add(n + " " + ext));
      return String.join(", ", parts);
    }
  }

  /**
   * Lists the PNG and JPEG files below {@code root}.
   *
   * @throws DatasetException if {@code root} is missing, not a folder, or holds no such image
   */
  static Listing list(Path root) {
    if (!Files.exists(root)) {
      throw new DatasetException(root, "image folder does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new DatasetException(root, "is not a folder (an image-folder dataset's path must be"
          + " a folder of PNG/JPEG files)");
    }
    List<Path> images = new ArrayList<>();
    Map<String, Integer> ignored = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(file -> {
        String ext = extension(file);
        if (EXTENSIONS.contains(ext)) {
          images.add(file);
        } else if (!file.getFileName().toString().startsWith(".")) {
          ignored.merge(ext.isEmpty() ? "(no extension)" : "." + ext, 1, Integer::sum);
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DatasetException(root, "cannot list the folder: " + e.getMessage(), e);
    }
    // Relative paths with '/' so the order does not depend on the platform's separator.
    images.sort((a, b) -> relative(root, a).compareTo(relative(root, b)));
    Listing listing = new Listing(root, List.copyOf(images), ignored);
    if (images.isEmpty()) {
      String others = ignored.isEmpty() ? "it is empty" : "found only " + listing.ignoredSummary();
      throw new DatasetException(root, "no PNG or JPEG images in this folder or below (" + others
          + ")");
    }
    return listing;
  }

  /**
   * A labeled image folder split into train and test.
   *
   * @param channels 1 or 3
   * @param imageSize the side of the square every image is resized and centre-cropped to; 0 =
   *     keep the size, which must then be the same for all images
   * @param testFraction the share of each class held out for testing when the folder has no
   *     {@code train}/{@code test} subfolders
   * @param trainLimit at most this many training images (0 = all), stratified and seeded
   * @param testLimit the same for the test split
   * @param warn receives warnings (skipped files, ignored files)
   */
  public static FashionMnist.Split loadLabeled(Path root, int channels, int imageSize,
      double testFraction, int trainLimit, int testLimit, long seed, Consumer<String> warn) {
    Path trainRoot = root.resolve("train");
    Path testRoot = root.resolve("test");
    Labeled train;
    Labeled test;
    if (Files.isDirectory(trainRoot) && Files.isDirectory(testRoot)) {
      train = labeled(trainRoot, null, warn);
      test = labeled(testRoot, train.classNames(), warn);
    } else {
      Labeled all = labeled(root, null, warn);
      Labeled[] parts = all.split(root, testFraction, seed);
      train = parts[0];
      test = parts[1];
    }
    train = train.limit(trainLimit, seed);
    test = test.limit(testLimit, seed + 1);
    Decoded trainImages = decode(train.files(), root, channels, imageSize, null, warn);
    Decoded testImages = decode(test.files(), root, channels, imageSize,
        trainImages.shape(), warn);
    return new FashionMnist.Split(
        trainImages.toImageSet(train.labels(), train.classNames(), "image folder " + root
            + ", train"),
        testImages.toImageSet(test.labels(), train.classNames(), "image folder " + root
            + ", test"));
  }

  /**
   * An unlabeled image folder as whole images: {@code heldOut} images (whole files, seeded) are
   * kept aside, the rest (at most {@code trainLimit}, 0 = all) are for training.
   */
  public static PretrainingData loadUnlabeled(Path root, int channels, int imageSize, int heldOut,
      int trainLimit, long seed, Consumer<String> warn) {
    Listing listing = list(root);
    warnIgnored(listing, warn);
    List<Path> files = new ArrayList<>(listing.images());
    if (heldOut >= files.size()) {
      throw new DatasetException(root, "holds " + files.size() + " images; held-out = " + heldOut
          + " would leave none for training");
    }
    Collections.shuffle(files, new Random(seed));
    List<Path> heldOutFiles = sorted(root, files.subList(0, heldOut));
    List<Path> trainFiles = files.subList(heldOut, files.size());
    if (trainLimit > 0 && trainLimit < trainFiles.size()) {
      trainFiles = trainFiles.subList(0, trainLimit);
    }
    trainFiles = sorted(root, trainFiles);
    Decoded train = decode(trainFiles, root, channels, imageSize, null, warn);
    ImageSet heldOutSet = heldOutFiles.isEmpty() ? null
        : decode(heldOutFiles, root, channels, imageSize, train.shape(), warn)
            .toImageSet(null, List.of(), "image folder " + root + ", held out");
    return new PretrainingData(
        train.toImageSet(null, List.of(), "image folder " + root), heldOutSet,
        "image folder " + root + " (" + train.count() + " images of " + train.shape() + ")");
  }

  /**
   * Checks an image folder as the loaders read it, without decoding the images: the files found,
   * for {@code labels = folders} the class folders (and {@code train/} and {@code test/} when both
   * are there), and every image's header. A file whose header cannot be read is skipped by a run
   * (with a warning), so here too it is a warning naming the first; a folder where no image can be
   * read fails, as the run would.
   *
   * @param labeled {@code labels = folders}
   * @return what it holds, e.g. "120 images in 3 class folders"
   * @throws DatasetException naming the folder or file and what is wrong
   */
  public static String inspect(Path root, boolean labeled, Consumer<String> warn) {
    List<Path> files = new ArrayList<>();
    String structure = "";
    if (labeled) {
      Path trainRoot = root.resolve("train");
      Path testRoot = root.resolve("test");
      if (Files.isDirectory(trainRoot) && Files.isDirectory(testRoot)) {
        Labeled train = labeled(trainRoot, null, warn);
        Labeled test = labeled(testRoot, train.classNames(), warn);
        files.addAll(train.files());
        files.addAll(test.files());
        structure = " in " + train.classNames().size() + " class folders (" + train.files().size()
            + " in train/, " + test.files().size() + " in test/)";
      } else {
        Labeled all = labeled(root, null, warn);
        files.addAll(all.files());
        structure = " in " + all.classNames().size() + " class folders";
      }
    } else {
      Listing listing = list(root);
      warnIgnored(listing, warn);
      files.addAll(listing.images());
    }
    int unreadable = 0;
    DatasetException first = null;
    for (Path file : files) {
      try {
        ImageRaster.size(file);
      } catch (DatasetException e) {
        first = first == null ? e : first;
        unreadable++;
      }
    }
    if (first != null && unreadable == files.size()) {
      throw new DatasetException(root, "none of the " + files.size() + " images can be read; the first: "
          + first.getMessage(), first);
    }
    if (first != null) {
      warn.accept(root + ": " + unreadable + " of " + files.size() + " images cannot be read (a run skips"
          + " them); the first: " + first.getMessage());
    }
    return files.size() + " images" + structure + (unreadable > 0 ? ", " + unreadable + " unreadable" : "");
  }

  static void warnIgnored(Listing listing, Consumer<String> warn) {
    if (!listing.ignored().isEmpty()) {
      warn.accept(listing.root() + ": ignored files that are not PNG or JPEG: "
          + listing.ignoredSummary());
    }
  }

  static String extension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  private static List<Path> sorted(Path root, List<Path> files) {
    List<Path> copy = new ArrayList<>(files);
    copy.sort((a, b) -> relative(root, a).compareTo(relative(root, b)));
    return copy;
  }

  /** Files with their class indices. */
  private record Labeled(List<Path> files, int[] labels, List<String> classNames) {

    Labeled[] split(Path root, double testFraction, long seed) {
      List<List<Integer>> byClass = new ArrayList<>();
      for (int c = 0; c < classNames.size(); c++) {
        byClass.add(new ArrayList<>());
      }
      for (int i = 0; i < labels.length; i++) {
        byClass.get(labels[i]).add(i);
      }
      Random random = new Random(seed);
      List<Integer> train = new ArrayList<>();
      List<Integer> test = new ArrayList<>();
      for (List<Integer> members : byClass) {
        Collections.shuffle(members, random);
        int n = members.size();
        int testCount = (int) Math.round(n * testFraction);
        if (testFraction > 0 && n >= 2) {
          testCount = Math.max(1, Math.min(n - 1, testCount));
        }
        test.addAll(members.subList(0, testCount));
        train.addAll(members.subList(testCount, n));
      }
      if (test.isEmpty()) {
        throw new DatasetException(root,
            "test-fraction " + testFraction + " leaves no test images; raise it or add train/ and"
                + " test/ subfolders");
      }
      return new Labeled[] {select(train), select(test)};
    }

    Labeled limit(int limit, long seed) {
      if (limit <= 0 || limit >= files.size()) {
        return this;
      }
      List<Integer> chosen = new ArrayList<>();
      for (int i : Stratified.indices(labels, limit, seed)) {
        chosen.add(i);
      }
      return select(chosen);
    }

    private Labeled select(List<Integer> indices) {
      List<Integer> order = new ArrayList<>(indices);
      Collections.sort(order);
      List<Path> f = new ArrayList<>();
      int[] l = new int[order.size()];
      for (int i = 0; i < order.size(); i++) {
        f.add(files.get(order.get(i)));
        l[i] = labels[order.get(i)];
      }
      return new Labeled(f, l, classNames);
    }
  }

  /**
   * The class folders of {@code root} and their images.
   *
   * @param expected class names the folders must be among (a test split's), or null
   */
  private static Labeled labeled(Path root, List<String> expected, Consumer<String> warn) {
    Listing listing = list(root);
    warnIgnored(listing, warn);
    TreeMap<String, List<Path>> classes = new TreeMap<>();
    int loose = 0;
    for (Path file : listing.images()) {
      Path rel = root.relativize(file);
      if (rel.getNameCount() < 2) {
        loose++;
        continue;
      }
      classes.computeIfAbsent(rel.getName(0).toString(), k -> new ArrayList<>()).add(file);
    }
    if (loose > 0) {
      warn.accept(root + ": ignored " + loose + " image(s) lying directly in the folder; with"
          + " labels = folders every image must be inside its class folder");
    }
    if (classes.isEmpty()) {
      throw new DatasetException(root, "labels = folders needs one subfolder per class, but no"
          + " image is inside a subfolder; use labels = none for an unlabeled folder");
    }
    List<String> names = expected == null ? List.copyOf(classes.keySet()) : expected;
    for (String name : classes.keySet()) {
      if (!names.contains(name)) {
        throw new DatasetException(root.resolve(name), "class folder '" + name + "' has no"
            + " counterpart among the training classes " + names);
      }
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    classes.forEach((name, members) -> {
      for (Path p : members) {
        files.add(p);
        labels.add(names.indexOf(name));
      }
    });
    return new Labeled(files, labels.stream().mapToInt(Integer::intValue).toArray(), names);
  }

  /** Decoded whole images, all of one shape, and which of the given files they came from. */
  record Decoded(float[] pixels, int count, ImageShape shape, int[] kept) {

    ImageSet toImageSet(int[] labels, List<String> classNames, String description) {
      int[] keptLabels = null;
      if (labels != null) {
        keptLabels = new int[kept.length];
        for (int i = 0; i < kept.length; i++) {
          keptLabels[i] = labels[kept[i]];
        }
      }
      return ImageSet.fromFloats(pixels, count, shape, keptLabels, classNames, description);
    }
  }

  /**
   * Decodes whole images, skipping (with a warning) those that fail.
   *
   * @param shape the shape every image must have, or null to take it from the first image
   * @throws DatasetException if none decodes, or sizes differ while {@code imageSize} is 0
   */
  static Decoded decode(List<Path> files, Path root, int channels, int imageSize, ImageShape shape,
      Consumer<String> warn) {
    Skipped skipped = new Skipped(root, warn);
    List<float[]> images = new ArrayList<>();
    List<Integer> kept = new ArrayList<>();
    Path first = null;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      ImageRaster raster;
      try {
        raster = ImageRaster.read(file).withChannels(channels);
      } catch (DatasetException e) {
        skipped.add(e);
        continue;
      }
      if (imageSize > 0) {
        if (raster.shortSide() < imageSize) {
          skipped.add(new DatasetException(file, "is " + raster.width() + "x" + raster.height()
              + ", smaller than image-size " + imageSize + " (images are never enlarged)"));
          continue;
        }
        raster = raster.centreSquare(imageSize);
      }
      ImageShape s = new ImageShape(channels, raster.height(), raster.width());
      if (shape == null) {
        shape = s;
        first = file;
      } else if (!shape.equals(s)) {
        throw new DatasetException(file, "is " + raster.width() + "x" + raster.height() + " but "
            + (first == null ? "the training images are " : first.getFileName() + " is ")
            + shape.width() + "x" + shape.height() + "; set image-size to resize every image to"
            + " one square size");
      }
      images.add(raster.values());
      kept.add(i);
    }
    skipped.finish(files.size(), images.size());
    float[] pixels = new float[Math.multiplyExact(images.size(), shape.size())];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, pixels, i * shape.size(), shape.size());
    }
    return new Decoded(pixels, images.size(), shape,
        kept.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Collects files that failed to decode: warns by name (up to a limit), fails if all failed. */
  static final class Skipped {
    private final Path root;
    private final Consumer<String> warn;
    private final List<DatasetException> failures = new ArrayList<>();

    Skipped(Path root, Consumer<String> warn) {
      this.root = root;
      this.warn = warn;
    }

    void add(DatasetException e) {
      failures.add(e);
      if (failures.size() <= NAMED_WARNINGS) {
        warn.accept("skipped " + e.getMessage());
      }
    }

    int count() {
      return failures.size();
    }

    /** Reports the count, and fails when nothing decoded. */
    void finish(int total, int decoded) {
      if (decoded == 0) {
        throw new DatasetException(root, "none of the " + total + " images could be used; the"
            + " first failure: " + (failures.isEmpty() ? "(none)" : failures.get(0).getMessage()),
            failures.isEmpty() ? null : failures.get(0));
      }
      if (!failures.isEmpty()) {
        warn.accept(root + ": skipped " + failures.size() + " of " + total
            + " images that could not be used"
            + (failures.size() > NAMED_WARNINGS ? " (the first " + NAMED_WARNINGS + " named above)"
                : ""));
      }
    }
  }
}
