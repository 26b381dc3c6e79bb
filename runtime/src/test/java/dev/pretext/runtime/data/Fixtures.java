package dev.pretext.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small, deterministic IDX fixtures for the data tests. */
final class Fixtures {

  private Fixtures() {}

  /** {@code count} images whose pixels differ from image to image, so mix-ups show. */
  static IdxReader.Images images(int count, int rows, int columns) {
    byte[] pixels = new byte[count * rows * columns];
    for (int i = 0; i < pixels.length; i++) {
      int image = i / (rows * columns);
      pixels[i] = (byte) (image * 37 + i * 11);
    }
    return new IdxReader.Images(count, rows, columns, pixels);
  }

  /** Labels cycling through {@code 0..classes-1}. */
  static int[] labels(int count, int classes) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % classes;
    }
    return labels;
  }

  /**
   * A Fashion-MNIST-shaped folder: the four gzipped files, 28 x 28 images, ten classes with
   * {@code trainPerClass} and {@code testPerClass} images each.
   */
  static Path fashionFolder(Path folder, int trainPerClass, int testPerClass) throws IOException {
    Files.createDirectories(folder);
    writeSplit(folder, "train", trainPerClass * 10);
    writeSplit(folder, "t10k", testPerClass * 10);
    return folder;
  }

  /** Like {@link #fashionFolder} but with raw (not gzipped) files under the names without .gz. */
  static Path rawFashionFolder(Path folder, int trainPerClass, int testPerClass)
      throws IOException {
    Files.createDirectories(folder);
    writeRawSplit(folder, "train", trainPerClass * 10);
    writeRawSplit(folder, "t10k", testPerClass * 10);
    return folder;
  }

  private static void writeSplit(Path folder, String prefix, int count) {
    IdxWriter.writeImages(
        folder.resolve(prefix + "-images-idx3-ubyte.gz"), images(count, 28, 28));
    IdxWriter.writeLabels(folder.resolve(prefix + "-labels-idx1-ubyte.gz"), labels(count, 10));
  }

  private static void writeRawSplit(Path folder, String prefix, int count) throws IOException {
    Files.write(
        folder.resolve(prefix + "-images-idx3-ubyte"),
        IdxWriter.encodeImages(images(count, 28, 28)));
    Files.write(
        folder.resolve(prefix + "-labels-idx1-ubyte"), IdxWriter.encodeLabels(labels(count, 10)));
  }
}
