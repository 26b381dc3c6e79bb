package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * CIFAR-10 (Krizhevsky, 2009): 32 x 32 colour images in ten classes, 50,000 for training and
 * 10,000 for testing, read from the official binary version, the folder {@value #FOLDER} with
 * {@code data_batch_1.bin} … {@code data_batch_5.bin}, {@code test_batch.bin} and
 * {@code batches.meta.txt}. Each record is one label byte followed by 3,072 bytes: the red, green
 * and blue planes of 32 x 32 pixels, row after row — exactly the {@code [C, H, W]} layout of an
 * {@link ImageSet}.
 */
public final class Cifar10 {

  /** The shape of every image. */
  public static final ImageShape SHAPE = new ImageShape(3, 32, 32);

  /** Class names of the official release, indexed by label (also in {@code batches.meta.txt}). */
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat",
      "deer", "dog", "frog", "horse", "ship", "truck");

  /** The name of the official binary release's folder. */
  public static final String FOLDER = "cifar-10-batches-bin";

  /**
   * Where a system-wide copy is looked for, following the Debian dataset packages' layout (no
   * Debian package ships CIFAR-10 today; an administrator can unpack it here).
   */
  public static final Path SYSTEM_FOLDER = Path.of("/usr/share/datasets").resolve(FOLDER);

  /** Bytes per record: the label and the three 32 x 32 planes. */
  static final int RECORD = 1 + 3 * 32 * 32;

  static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
      "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
  static final String TEST_FILE = "test_batch.bin";
  static final String META_FILE = "batches.meta.txt";

  private Cifar10() {}

  /**
   * Images and labels read from one or more batch files, before they become an {@link ImageSet},
   * so that a stratified subset can be picked without first converting every image to floats.
   *
   * @param pixels {@code count * 3072} bytes, image after image
   * @param labels one label per image, 0..9
   */
  record Records(byte[] pixels, int[] labels, String description) {

    /** The images at {@code indices} (all when null) as an image set. */
    ImageSet toImageSet(int[] indices, List<String> classNames) {
      if (indices == null) {
        return ImageSet.ofUnsignedBytes(pixels, SHAPE, labels, classNames, description);
      }
      int size = SHAPE.size();
      byte[] selected = new byte[Math.multiplyExact(indices.length, size)];
      int[] selectedLabels = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        System.arraycopy(pixels, indices[i] * size, selected, i * size, size);
        selectedLabels[i] = labels[indices[i]];
      }
      return ImageSet.ofUnsignedBytes(selected, SHAPE, selectedLabels, classNames,
          description + ", subset of " + indices.length);
    }
  }

  /**
   * Loads CIFAR-10 from the first of these folders holding all six batch files: {@code
   * configuredPath} (the suite key {@code path}) or its {@value #FOLDER} subfolder when not null,
   * and then nothing else; else {@code $PRETEXT_DATA}, then {@code
   * $PRETEXT_DATA/cifar-10-batches-bin}, then {@link #SYSTEM_FOLDER}. When none qualifies the
   * exception lists every place looked and what each lacked.
   *
   * @param configuredPath folder set in the configuration, or null
   * @param select picks the images to keep from all those of a split (e.g. a stratified limit),
   *     given their labels; null keeps all
   * @param testSelect the same for the test split
   * @throws DatasetException if the data cannot be found or a file is broken
   */
  public static FashionMnist.Split load(Path configuredPath, Function<int[], int[]> select,
      Function<int[], int[]> testSelect) {
    return loadFolder(locate(configuredPath, System::getenv, SYSTEM_FOLDER), select, testSelect);
  }

  /** Loads the batch files of {@code folder}; {@code select} and {@code testSelect} as in {@link #load}. */
  public static FashionMnist.Split loadFolder(Path folder, Function<int[], int[]> select,
      Function<int[], int[]> testSelect) {
    List<String> names = classNames(folder);
    Records train = readRecords(folder, TRAIN_FILES, "CIFAR-10 train from " + folder);
    Records test = readRecords(folder, List.of(TEST_FILE), "CIFAR-10 test from " + folder);
    return new FashionMnist.Split(
        train.toImageSet(select == null ? null : select.apply(train.labels()), names),
        test.toImageSet(testSelect == null ? null : testSelect.apply(test.labels()), names));
  }

  /** The class names in {@code batches.meta.txt} when it holds ten, else the official ones. */
  static List<String> classNames(Path folder) {
    Path meta = folder.resolve(META_FILE);
    if (!Files.isRegularFile(meta)) {
      return CLASS_NAMES;
    }
    try {
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.trim());
        }
      }
      if (names.size() != CLASS_NAMES.size()) {
        throw new DatasetException(meta, "lists " + names.size()
            + " class names; CIFAR-10 has " + CLASS_NAMES.size() + " (one per line)");
      }
      return List.copyOf(names);
    } catch (IOException e) {
      throw new DatasetException(meta, "cannot read: " + e, e);
    }
  }

  /** Reads and concatenates batch files, checking sizes and labels. */
  static Records readRecords(Path folder, List<String> files, String description) {
    List<byte[]> contents = new ArrayList<>();
    long total = 0;
    for (String name : files) {
      Path file = folder.resolve(name);
      byte[] bytes = readFile(file);
      int count = recordCount(file, bytes.length);
      for (int i = 0; i < count; i++) {
        checkLabel(file, i, bytes[i * RECORD] & 0xff);
      }
      contents.add(bytes);
      total += count;
    }
    if (total * SHAPE.size() > Integer.MAX_VALUE - 8) {
      throw new DatasetException(description + ": " + total + " images do not fit in one array",
          null);
    }
    int n = (int) total;
    byte[] pixels = new byte[n * SHAPE.size()];
    int[] labels = new int[n];
    int at = 0;
    for (byte[] bytes : contents) {
      for (int i = 0; i < bytes.length / RECORD; i++, at++) {
        labels[at] = bytes[i * RECORD] & 0xff;
        System.arraycopy(bytes, i * RECORD + 1, pixels, at * SHAPE.size(), SHAPE.size());
      }
    }
    return new Records(pixels, labels, description);
  }

  /**
   * Checks the batch files and class names of {@code folder} as {@link #loadFolder} reads them —
   * each file a whole number of records, every label a class — reading only the label bytes.
   *
   * @return what they hold, e.g. "50000 train and 10000 test images of 32 x 32, labels 0..9"
   * @throws DatasetException naming the first bad file and what is wrong with it
   */
  static String inspectFolder(Path folder) {
    classNames(folder);
    long[] counts = new long[2];
    List<String> all = new ArrayList<>(TRAIN_FILES);
    all.add(TEST_FILE);
    for (String name : all) {
      Path file = folder.resolve(name);
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
        int count = recordCount(file, channel.size());
        java.nio.ByteBuffer label = java.nio.ByteBuffer.allocate(1);
        for (int i = 0; i < count; i++) {
          label.clear();
          if (channel.read(label, (long) i * RECORD) != 1) {
            throw new DatasetException(file, "ends before record " + i + " of " + count);
          }
          checkLabel(file, i, label.get(0) & 0xff);
        }
        counts[name.equals(TEST_FILE) ? 1 : 0] += count;
      } catch (NoSuchFileException e) {
        throw new DatasetException(file, "file not found", e);
      } catch (AccessDeniedException e) {
        throw new DatasetException(file, "permission denied", e);
      } catch (IOException e) {
        throw new DatasetException(file, "cannot read: " + e, e);
      }
    }
    return counts[0] + " train and " + counts[1] + " test images of " + SHAPE.height() + " x "
        + SHAPE.width() + ", labels 0.." + (CLASS_NAMES.size() - 1);
  }

  /** The files {@link #load} reads (batches.meta.txt when there), in a fixed order. */
  static List<Path> files(Path configuredPath) {
    Path folder = locate(configuredPath, System::getenv, SYSTEM_FOLDER);
    List<Path> files = new ArrayList<>();
    TRAIN_FILES.forEach(name -> files.add(folder.resolve(name)));
    files.add(folder.resolve(TEST_FILE));
    if (Files.isRegularFile(folder.resolve(META_FILE))) {
      files.add(folder.resolve(META_FILE));
    }
    return files;
  }

  /** The number of records in a batch file of {@code length} bytes; fails unless it is whole. */
  private static int recordCount(Path file, long length) {
    if (length == 0 || length % RECORD != 0 || length / RECORD > Integer.MAX_VALUE) {
      throw new DatasetException(file, length + " bytes is not a whole number of "
          + RECORD + "-byte CIFAR-10 records (1 label byte + 3072 pixel bytes); is this the"
          + " binary version (" + FOLDER + "), complete?");
    }
    return (int) (length / RECORD);
  }

  private static void checkLabel(Path file, int record, int label) {
    if (label >= CLASS_NAMES.size()) {
      throw new DatasetException(file, "label " + label + " of record " + record
          + " (byte offset " + (long) record * RECORD + ") is not a CIFAR-10 class 0.."
          + (CLASS_NAMES.size() - 1) + "; CIFAR-100's binary files have two label bytes");
    }
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DatasetException(file, "file not found", e);
    } catch (AccessDeniedException e) {
      throw new DatasetException(file, "permission denied", e);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot read: " + e, e);
    }
  }

  /** The folder {@link #load} reads; package-private so tests can supply the environment. */
  static Path locate(Path configuredPath, Function<String, String> env, Path systemFolder) {
    return new DataLookup("path", FOLDER, Cifar10::problemWith).locate(configuredPath, env, systemFolder,
        "CIFAR-10", "  - unpack the binary version (cifar-10-binary.tar.gz, from the CIFAR page of"
            + " the University of Toronto) and set path in the suite's data block to the " + FOLDER
            + " folder or the folder holding it\n"
            + "  - set " + DataLookup.DATA_ENV + " to a folder holding " + FOLDER + "\n"
            + "  - or unpack it as " + SYSTEM_FOLDER);
  }

  private static String problemWith(Path folder) {
    if (!Files.exists(folder)) {
      return "does not exist";
    }
    if (!Files.isDirectory(folder)) {
      return "is not a folder";
    }
    List<String> missing = new ArrayList<>();
    List<String> all = new ArrayList<>(TRAIN_FILES);
    all.add(TEST_FILE);
    for (String name : all) {
      if (!Files.isRegularFile(folder.resolve(name))) {
        missing.add(name);
      }
    }
    return missing.isEmpty() ? null : "lacks " + String.join(", ", missing);
  }
}
