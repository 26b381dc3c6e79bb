package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

  @TempDir Path dir;

  /**
   * A {@code cifar-10-batches-bin} folder with {@code perFile} records in each of the six batch
   * files; record r of file f has label (f + r) % 10 and pixel i = (f * 31 + r * 7 + i) % 256.
   */
  static Path writeFixture(Path parent, int perFile) throws IOException {
    Path folder = Files.createDirectories(parent.resolve(Cifar10.FOLDER));
    List<String> files = new java.util.ArrayList<>(Cifar10.TRAIN_FILES);
    files.add(Cifar10.TEST_FILE);
    for (int f = 0; f < files.size(); f++) {
      Files.write(folder.resolve(files.get(f)), records(f, perFile));
    }
    Files.writeString(folder.resolve(Cifar10.META_FILE),
        String.join("\n", Cifar10.CLASS_NAMES) + "\n\n");
    return folder;
  }

  static byte[] records(int file, int count) {
    byte[] bytes = new byte[count * Cifar10.RECORD];
    for (int r = 0; r < count; r++) {
      bytes[r * Cifar10.RECORD] = (byte) ((file + r) % 10);
      for (int i = 0; i < Cifar10.RECORD - 1; i++) {
        bytes[r * Cifar10.RECORD + 1 + i] = (byte) ((file * 31 + r * 7 + i) % 256);
      }
    }
    return bytes;
  }

  @Test
  void readsRecordsAsRgbPlanesInZeroOne() throws IOException {
    Path folder = writeFixture(dir, 4);

    FashionMnist.Split split = Cifar10.loadFolder(folder, null, null);

    assertThat(split.train().size()).isEqualTo(20);
    assertThat(split.test().size()).isEqualTo(4);
    assertThat(split.train().shape()).hasToString("3x32x32");
    assertThat(split.train().classNames()).containsExactlyElementsOf(Cifar10.CLASS_NAMES);
    // Record 1 of data_batch_2 (file 1) is training image 5: label 2; the green plane starts at
    // byte 1024 of its pixels, and blue pixel (y=3, x=5) is byte 2048 + 3 * 32 + 5.
    assertThat(split.train().labels()[5]).isEqualTo(2);
    var image = split.train().images();
    assertThat(image.getFloat(5, 1, 0, 0)).isEqualTo(((31 + 7 + 1024) % 256) / 255f);
    assertThat(image.getFloat(5, 2, 3, 5)).isEqualTo(((31 + 7 + 2048 + 3 * 32 + 5) % 256) / 255f);
    // The test batch is file 5.
    assertThat(split.test().labels()).containsExactly(5, 6, 7, 8);
  }

  @Test
  void selectionKeepsOnlyTheChosenRecords() throws IOException {
    Path folder = writeFixture(dir, 4);

    FashionMnist.Split split = Cifar10.loadFolder(folder, labels -> new int[] {0, 19}, null);

    assertThat(split.train().size()).isEqualTo(2);
    assertThat(split.train().labels()).containsExactly(0, (4 + 3) % 10);
  }

  @Test
  void missingFileIsNamed() throws IOException {
    Path folder = writeFixture(dir, 2);
    Files.delete(folder.resolve("data_batch_3.bin"));

    assertThatThrownBy(() -> Cifar10.loadFolder(folder, null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("data_batch_3.bin")
        .hasMessageContaining("not found");
  }

  @Test
  void sizeThatIsNotWholeRecordsIsNamed() throws IOException {
    Path folder = writeFixture(dir, 2);
    Files.write(folder.resolve("test_batch.bin"), new byte[Cifar10.RECORD * 2 + 100]);

    assertThatThrownBy(() -> Cifar10.loadFolder(folder, null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("test_batch.bin")
        .hasMessageContaining((Cifar10.RECORD * 2 + 100) + " bytes is not a whole number of 3073");
  }

  @Test
  void labelOutOfRangeIsNamedWithRecordAndFile() throws IOException {
    Path folder = writeFixture(dir, 3);
    byte[] bytes = records(0, 3);
    bytes[2 * Cifar10.RECORD] = 42;
    Files.write(folder.resolve("data_batch_1.bin"), bytes);

    assertThatThrownBy(() -> Cifar10.loadFolder(folder, null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("data_batch_1.bin")
        .hasMessageContaining("label 42 of record 2")
        .hasMessageContaining("0..9");
  }

  @Test
  void locateTriesConfiguredPathItsSubfolderThenEnvironment() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path folder = writeFixture(data, 1);
    Path nowhere = dir.resolve("nowhere");

    assertThat(Cifar10.locate(data, name -> null, nowhere)).isEqualTo(folder);
    assertThat(Cifar10.locate(null, Map.of(FashionMnist.DATA_ENV, data.toString())::get, nowhere))
        .isEqualTo(folder);
    assertThatThrownBy(() -> Cifar10.locate(dir.resolve("empty"), name -> null, nowhere))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("CIFAR-10 not found in " + dir.resolve("empty") + " (path)")
        .hasMessageContaining("1. " + dir.resolve("empty") + " (path): does not exist")
        .hasMessageContaining("2. " + dir.resolve("empty").resolve(Cifar10.FOLDER) + " (path/"
            + Cifar10.FOLDER + "): does not exist")
        .hasMessageNotContaining("3. ");
    assertThatThrownBy(() -> Cifar10.locate(null, name -> null, nowhere))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("1. path: not set\n  2. $PRETEXT_DATA: not set\n  3. " + nowhere
            + " (system folder)");
  }

  @Test
  void folderMissingSomeFilesListsThem() throws IOException {
    Path folder = writeFixture(dir, 1);
    Files.delete(folder.resolve("test_batch.bin"));

    assertThatThrownBy(() -> Cifar10.locate(folder, name -> null, dir.resolve("nowhere")))
        .hasMessageContaining("lacks test_batch.bin");
  }
}
