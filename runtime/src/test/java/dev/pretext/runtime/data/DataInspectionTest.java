package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.config.Suite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Datasets#inspect}: what {@code pretext validate} finds in a suite's data without loading
 * it, with the messages the readers give when a run loads the same files.
 */
class DataInspectionTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  private static Suite.DataSettings data(String dataset, String source, Path path, String labels) {
    return new Suite.DataSettings("suite.data", dataset, source, path.toString(), 0, 0, labels, 0, 0,
        0.2, 0, 0, 0, 0);
  }

  private String inspect(Suite.DataSettings settings) {
    return Datasets.inspect(settings, warnings::add);
  }

  /** The message a run gets loading the same folder, to compare with the inspection's. */
  private static String loadMessage(Path folder) {
    try {
      FashionMnist.loadFolder(folder);
    } catch (DatasetException e) {
      return e.getMessage();
    }
    throw new AssertionError("loading " + folder + " did not fail");
  }

  @Test
  void goodFashionMnistFoldersAreDescribedGzippedOrRaw() throws IOException {
    Path gz = Fixtures.fashionFolder(dir.resolve("gz"), 2, 1);
    Path raw = Fixtures.rawFashionFolder(dir.resolve("raw"), 3, 1);

    assertThat(inspect(data("fashion-mnist", "full", gz, "folders")))
        .isEqualTo("Fashion-MNIST in " + gz + ": 20 train and 10 test images of 28 x 28, labels 0..9");
    assertThat(inspect(data("fashion-mnist", "full", raw, "folders")))
        .isEqualTo("Fashion-MNIST in " + raw + ": 30 train and 10 test images of 28 x 28, labels 0..9");
    assertThat(inspect(data("fashion-mnist", "embedded", Path.of(""), "folders")))
        .contains("embedded sample");
    assertThat(warnings).isEmpty();
  }

  @Test
  void aTruncatedRawImagesFileIsNamedWithTheBytesItLacks() throws IOException {
    Path folder = Fixtures.rawFashionFolder(dir.resolve("raw"), 2, 1);
    Path images = folder.resolve("train-images-idx3-ubyte");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length - 100));

    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", folder, "folders")))
        .isInstanceOf(DatasetException.class)
        .hasMessage(images + ": truncated: expected 15680 bytes of data (20 images of 28 x 28 pixels), found 15580")
        .hasMessage(loadMessage(folder));
  }

  @Test
  void aCutGzippedFileFailsAsTheReaderFailsOnIt() throws IOException {
    Path folder = Fixtures.fashionFolder(dir.resolve("gz"), 20, 1);
    Path images = folder.resolve("train-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length / 2));

    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", folder, "folders")))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(images + ": ")
        .hasMessage(loadMessage(folder));
  }

  @Test
  void aGzippedFileWhoseChecksumFailsAfterItsDataIsCaught() throws IOException {
    // The reader stops after the declared data; the check reads to the end, where gzip's CRC is.
    Path folder = Fixtures.fashionFolder(dir.resolve("gz"), 2, 1);
    Path images = folder.resolve("train-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(images);
    bytes[bytes.length - 8] ^= 0x55; // the CRC-32 in the gzip trailer
    Files.write(images, bytes);

    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", folder, "folders")))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(images + ": corrupt gzip data after the 15680 bytes of data");
  }

  @Test
  void wrongDimensionsALabelOutOfRangeAndMismatchedCountsAreNamed() throws IOException {
    Path swapped = Fixtures.rawFashionFolder(dir.resolve("swapped"), 1, 1);
    Files.copy(swapped.resolve("train-labels-idx1-ubyte"), swapped.resolve("train-images-idx3-ubyte"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", swapped, "folders")))
        .hasMessage(swapped.resolve("train-images-idx3-ubyte") + ": wrong number of dimensions: expected 3"
            + " (image count, rows, columns), found 1 (magic number 0x00000801)")
        .hasMessage(loadMessage(swapped));

    Path labels = Fixtures.rawFashionFolder(dir.resolve("labels"), 1, 1);
    int[] bad = Fixtures.labels(10, 10);
    bad[7] = 12;
    Files.write(labels.resolve("t10k-labels-idx1-ubyte"), IdxWriter.encodeLabels(bad));
    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", labels, "folders")))
        .hasMessage(labels.resolve("t10k-labels-idx1-ubyte") + ": label 12 at index 7 is not a Fashion-MNIST"
            + " class 0..9")
        .hasMessage(loadMessage(labels));

    Path counts = Fixtures.rawFashionFolder(dir.resolve("counts"), 1, 1);
    Files.write(counts.resolve("train-labels-idx1-ubyte"), IdxWriter.encodeLabels(Fixtures.labels(9, 9)));
    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", counts, "folders")))
        .hasMessageContaining("holds 10 images but").hasMessageContaining("holds 9 labels")
        .hasMessage(loadMessage(counts));
  }

  @Test
  void trailingBytesAreAWarningAsTheReaderIgnoresThem() throws IOException {
    Path folder = Fixtures.rawFashionFolder(dir.resolve("raw"), 1, 1);
    Path images = folder.resolve("t10k-images-idx3-ubyte");
    Files.write(images, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    assertThat(inspect(data("fashion-mnist", "full", folder, "folders"))).contains("10 test images");
    assertThat(warnings).containsExactly(images + ": 3 bytes after the images the header declares (ignored)");
  }

  @Test
  void cifarFilesMustHoldWholeRecordsWithLabelsInRange() throws IOException {
    Path folder = Cifar10Test.writeFixture(dir.resolve("ok"), 3);
    assertThat(inspect(data("cifar10", "embedded", folder, "folders")))
        .isEqualTo("CIFAR-10 in " + folder + ": 15 train and 3 test images of 32 x 32, labels 0..9");

    Path cut = Cifar10Test.writeFixture(dir.resolve("cut"), 3);
    Path batch = cut.resolve("data_batch_3.bin");
    Files.write(batch, Arrays.copyOf(Files.readAllBytes(batch), 2 * Cifar10.RECORD + 100));
    assertThatThrownBy(() -> inspect(data("cifar10", "embedded", cut, "folders")))
        .hasMessage(batch + ": " + (2 * Cifar10.RECORD + 100) + " bytes is not a whole number of 3073-byte"
            + " CIFAR-10 records (1 label byte + 3072 pixel bytes); is this the binary version"
            + " (cifar-10-batches-bin), complete?");

    Path labels = Cifar10Test.writeFixture(dir.resolve("labels"), 3);
    Path test = labels.resolve("test_batch.bin");
    byte[] bytes = Files.readAllBytes(test);
    bytes[2 * Cifar10.RECORD] = 42;
    Files.write(test, bytes);
    assertThatThrownBy(() -> inspect(data("cifar10", "embedded", labels, "folders")))
        .hasMessage(test + ": label 42 of record 2 (byte offset 6146) is not a CIFAR-10 class 0..9; CIFAR-100's"
            + " binary files have two label bytes");
  }

  @Test
  void anImageFolderIsCountedAndItsFirstUnreadableFileNamed() throws IOException {
    Path root = dir.resolve("photos");
    ImageFiles.gray(root.resolve("boots/a.png"), 8, 8, 10);
    ImageFiles.gray(root.resolve("boots/b.png"), 8, 8, 20);
    ImageFiles.flat(root.resolve("shirts/c.jpg"), 8, 8, 0x336699);
    Path broken = ImageFiles.corrupt(root.resolve("shirts/d.png"));
    Files.writeString(root.resolve("shirts/notes.txt"), "not an image");

    assertThat(inspect(data("image-folder", "embedded", root, "folders")))
        .isEqualTo("image folder " + root + ": 4 images in 2 class folders, 1 unreadable");
    assertThat(warnings).anyMatch(w -> w.contains("1 .txt"))
        .anyMatch(w -> w.startsWith(root + ": 1 of 4 images cannot be read (a run skips them); the first: "
            + broken + ": "));
    warnings.clear();
    assertThat(inspect(data("image-folder", "embedded", root, "none")))
        .isEqualTo("image folder " + root + ": 4 images, 1 unreadable");

    Path nothing = dir.resolve("nothing");
    ImageFiles.corrupt(nothing.resolve("x/a.png"));
    Path second = ImageFiles.corrupt(nothing.resolve("x/b.png"));
    assertThatThrownBy(() -> inspect(data("image-folder", "embedded", nothing, "folders")))
        .hasMessageStartingWith(nothing + ": none of the 2 images can be read; the first: "
            + nothing.resolve("x/a.png") + ": ")
        .hasMessageNotContaining(second.toString());
    assertThatThrownBy(() -> inspect(data("image-folder", "embedded", dir.resolve("absent"), "folders")))
        .hasMessage(dir.resolve("absent") + ": image folder does not exist");
  }

  @Test
  void aFileMissingFromAnExplicitPathIsNamedWithNoFallBack() throws IOException {
    Path folder = Fixtures.fashionFolder(dir.resolve("gz"), 1, 1);
    Files.delete(folder.resolve("t10k-labels-idx1-ubyte.gz"));

    assertThatThrownBy(() -> inspect(data("fashion-mnist", "full", folder, "folders")))
        .hasMessageContaining("not found in " + folder + " (suite.data.path)")
        .hasMessageContaining("lacks t10k-labels-idx1-ubyte[.gz]");
  }
}
