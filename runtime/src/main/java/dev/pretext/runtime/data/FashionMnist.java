package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Fashion-MNIST (Zalando, MIT licence): 28 x 28 grayscale images of clothing in ten classes, 60,000
 * for training and 10,000 for testing.
 *
 * <p>Two sources: {@link Source#EMBEDDED}, a stratified sample shipped inside the runtime jar so
 * that everything works offline out of the box, and {@link Source#FULL}, the official files found
 * on disk (see {@link #load}).
 */
public final class FashionMnist {

  /** Class names, indexed by label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** The shape of every image. */
  public static final ImageShape SHAPE = new ImageShape(1, 28, 28);

  /**
   * Environment variable naming a folder that holds the full data set's files, or a {@code
   * fashion-mnist} folder holding them.
   */
  public static final String DATA_ENV = DataLookup.DATA_ENV;

  /** Where the Debian package {@code dataset-fashion-mnist} installs the full data set. */
  public static final Path SYSTEM_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  static final String SUBFOLDER = "fashion-mnist";
  static final String SAMPLE_FOLDER = "fashion-mnist-sample";

  private FashionMnist() {}

  /** Which copy of the data set to load. */
  public enum Source {
    /** The stratified 6,000 / 1,000 sample shipped as classpath resources of the runtime. */
    EMBEDDED,
    /** The official 60,000 / 10,000 files, found on disk. */
    FULL
  }

  /**
   * The official split.
   *
   * @param train the training images, labeled
   * @param test the test images, labeled
   */
  public record Split(ImageSet train, ImageSet test) {

    public Split {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
    }
  }

  /**
   * Loads Fashion-MNIST.
   *
   * <p>For {@link Source#FULL} the first of these folders holding all four files wins: {@code
   * configuredPath} (the suite key {@code suite.data.path}) or its {@code fashion-mnist} subfolder
   * when not null, and then nothing else; else {@code $PRETEXT_DATA}, then {@code
   * $PRETEXT_DATA/fashion-mnist}, then {@link #SYSTEM_FOLDER}. Each file may be gzipped
   * ({@code train-images-idx3-ubyte.gz}) or raw ({@code train-images-idx3-ubyte}). When none
   * qualifies, the exception lists every place looked and what each lacked.
   *
   * @param source which copy to load
   * @param configuredPath folder set in the configuration, or null; ignored for {@code EMBEDDED}
   * @throws DatasetException if the data cannot be found or a file is broken
   */
  public static Split load(Source source, Path configuredPath) {
    return load(source, configuredPath, System::getenv);
  }

  static Split load(Source source, Path configuredPath, Function<String, String> env) {
    return switch (source) {
      case EMBEDDED -> loadEmbedded();
      case FULL -> loadFolder(locate(configuredPath, env, SYSTEM_FOLDER));
    };
  }

  /**
   * Loads the four files from {@code folder}, gzipped or raw.
   *
   * @throws DatasetException if a file is missing or broken, or images and labels disagree
   */
  public static Split loadFolder(Path folder) {
    return new Split(
        readFiles(folder, TRAIN_IMAGES, TRAIN_LABELS, "Fashion-MNIST train from " + folder),
        readFiles(folder, TEST_IMAGES, TEST_LABELS, "Fashion-MNIST test from " + folder));
  }

  /**
   * The folder {@link #load} reads for {@link Source#FULL}; package-private so tests can supply
   * the environment and the system folder.
   */
  static Path locate(Path configuredPath, Function<String, String> env, Path systemFolder) {
    return new DataLookup("suite.data.path", SUBFOLDER, FashionMnist::problemWith)
        .locate(configuredPath, env, systemFolder, "Fashion-MNIST (full)", fixes());
  }

  /** The gzipped or else the raw file {@code baseName} in {@code folder}, or null if neither. */
  static Path findFile(Path folder, String baseName) {
    Path gzipped = folder.resolve(baseName + ".gz");
    if (Files.isRegularFile(gzipped)) {
      return gzipped;
    }
    Path raw = folder.resolve(baseName);
    return Files.isRegularFile(raw) ? raw : null;
  }

  private static String problemWith(Path folder) {
    if (!Files.exists(folder)) {
      return "does not exist";
    }
    if (!Files.isDirectory(folder)) {
      return "is not a folder";
    }
    List<String> missing = new ArrayList<>();
    for (String name : FILES) {
      if (findFile(folder, name) == null) {
        missing.add(name + "[.gz]");
      }
    }
    return missing.isEmpty() ? null : "lacks " + String.join(", ", missing);
  }

  private static String fixes() {
    return "  - install the Debian package: apt-get install dataset-fashion-mnist\n"
        + "  - set " + DATA_ENV + " to a folder holding " + String.join(", ", FILES)
        + " (each gzipped or not), or holding a '" + SUBFOLDER + "' folder with them\n"
        + "  - set suite.data.path in the suite to such a folder\n"
        + "  - or use the embedded sample: suite.data.source = \"embedded\"";
  }

  private static ImageSet readFiles(
      Path folder, String imagesName, String labelsName, String description) {
    Path imagesFile = requireFile(folder, imagesName);
    Path labelsFile = requireFile(folder, labelsName);
    return toImageSet(
        IdxReader.readImages(imagesFile),
        IdxReader.readLabels(labelsFile),
        IdxReader.Origin.of(imagesFile),
        IdxReader.Origin.of(labelsFile),
        description);
  }

  /** Like {@link #findFile} but fails, naming the file, when neither form exists. */
  static Path requireFile(Path folder, String baseName) {
    Path file = findFile(folder, baseName);
    if (file == null) {
      throw new DatasetException(
          folder.resolve(baseName + ".gz"), "not found, and neither is " + baseName + " beside it");
    }
    return file;
  }

  private static Split loadEmbedded() {
    return new Split(
        readResources(TRAIN_IMAGES, TRAIN_LABELS, "Fashion-MNIST embedded sample, train"),
        readResources(TEST_IMAGES, TEST_LABELS, "Fashion-MNIST embedded sample, test"));
  }

  /** The classpath resources of the embedded sample (absolute names), in the order they are read. */
  public static List<String> embeddedResources() {
    String path = FashionMnist.class.getPackageName().replace('.', '/');
    return FILES.stream().map(name -> "/" + path + "/" + SAMPLE_FOLDER + "/" + name + ".gz").toList();
  }

  /** The four files {@link #load} reads for {@link Source#FULL}, in a fixed order. */
  static List<Path> files(Path configuredPath) {
    Path folder = locate(configuredPath, System::getenv, SYSTEM_FOLDER);
    return FILES.stream().map(name -> requireFile(folder, name)).toList();
  }

  private static ImageSet readResources(String imagesName, String labelsName, String description) {
    IdxReader.Origin imagesOrigin = resourceOrigin(imagesName);
    IdxReader.Origin labelsOrigin = resourceOrigin(labelsName);
    IdxReader.Images images;
    int[] labels;
    try (InputStream in = openResource(imagesName, imagesOrigin)) {
      images = IdxReader.readImages(in, imagesOrigin.name());
    } catch (IOException e) {
      throw imagesOrigin.error("cannot close: " + e, e);
    }
    try (InputStream in = openResource(labelsName, labelsOrigin)) {
      labels = IdxReader.readLabels(in, labelsOrigin.name());
    } catch (IOException e) {
      throw labelsOrigin.error("cannot close: " + e, e);
    }
    return toImageSet(images, labels, imagesOrigin, labelsOrigin, description);
  }

  private static IdxReader.Origin resourceOrigin(String baseName) {
    String path = FashionMnist.class.getPackageName().replace('.', '/');
    return IdxReader.Origin.of(
        "classpath resource /" + path + "/" + SAMPLE_FOLDER + "/" + baseName + ".gz");
  }

  private static InputStream openResource(String baseName, IdxReader.Origin origin) {
    InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE_FOLDER + "/" + baseName + ".gz");
    if (in == null) {
      throw origin.error("missing; the runtime jar was built or repackaged without its resources");
    }
    return in;
  }

  private static ImageSet toImageSet(
      IdxReader.Images images,
      int[] labels,
      IdxReader.Origin imagesOrigin,
      IdxReader.Origin labelsOrigin,
      String description) {
    checkPair(images, labels, imagesOrigin, labelsOrigin);
    return ImageSet.ofUnsignedBytes(images.pixels(), SHAPE, labels, CLASS_NAMES, description);
  }

  /** Checks that images and labels read from a pair of files make a Fashion-MNIST split. */
  static void checkPair(
      IdxReader.Images images,
      int[] labels,
      IdxReader.Origin imagesOrigin,
      IdxReader.Origin labelsOrigin) {
    checkPair(images.count(), images.rows(), images.columns(), labels, imagesOrigin, labelsOrigin);
  }

  /**
   * Checks the four files of {@code folder} as {@link #loadFolder} reads them — magic numbers,
   * sizes, each file's length against its header, labels one per image and in range — without
   * holding the images (a gzipped file is decompressed as a stream).
   *
   * @return what they hold, e.g. "60000 train and 10000 test images of 28 x 28, labels 0..9"
   * @throws DatasetException naming the first bad file and what is wrong with it
   */
  public static String inspectFolder(Path folder, java.util.function.Consumer<String> warn) {
    int[] counts = new int[2];
    String[][] pairs = {{TRAIN_IMAGES, TRAIN_LABELS}, {TEST_IMAGES, TEST_LABELS}};
    for (int i = 0; i < 2; i++) {
      Path imagesFile = requireFile(folder, pairs[i][0]);
      Path labelsFile = requireFile(folder, pairs[i][1]);
      IdxReader.Header images = IdxReader.inspect(imagesFile, IdxReader.IMAGES_MAGIC);
      int[] labels = IdxReader.readLabels(labelsFile);
      checkPair(images.sizes()[0], images.sizes()[1], images.sizes()[2], labels,
          IdxReader.Origin.of(imagesFile), IdxReader.Origin.of(labelsFile));
      if (images.trailingBytes() > 0) {
        warn.accept(imagesFile + ": " + images.trailingBytes() + " bytes after the images the header"
            + " declares (ignored)");
      }
      counts[i] = images.sizes()[0];
    }
    return counts[0] + " train and " + counts[1] + " test images of " + SHAPE.height() + " x "
        + SHAPE.width() + ", labels 0.." + (CLASS_NAMES.size() - 1);
  }

  private static void checkPair(
      int count,
      int rows,
      int columns,
      int[] labels,
      IdxReader.Origin imagesOrigin,
      IdxReader.Origin labelsOrigin) {
    if (rows != SHAPE.height() || columns != SHAPE.width()) {
      throw imagesOrigin.error(
          "images are "
              + rows
              + " x "
              + columns
              + " pixels; Fashion-MNIST images are "
              + SHAPE.height()
              + " x "
              + SHAPE.width());
    }
    if (labels.length != count) {
      throw imagesOrigin.error(
          "holds "
              + count
              + " images but "
              + labelsOrigin.name()
              + " holds "
              + labels.length
              + " labels; they must match one to one");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= CLASS_NAMES.size()) {
        throw labelsOrigin.error(
            "label "
                + labels[i]
                + " at index "
                + i
                + " is not a Fashion-MNIST class 0.."
                + (CLASS_NAMES.size() - 1));
      }
    }
  }
}
