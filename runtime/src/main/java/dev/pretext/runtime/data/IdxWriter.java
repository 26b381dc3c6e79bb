package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes images and labels as gzipped IDX files that {@link IdxReader} (and the usual MNIST
 * tools) read: the sample maker uses it, and tests use it, together with {@link #encodeImages},
 * {@link #encodeLabels} and {@link #gzip}, to make fixtures, broken ones included.
 *
 * <p>Output is deterministic: the gzip header carries no timestamp, so the same input always gives
 * the same bytes.
 */
public final class IdxWriter {

  private static final int BUFFER_SIZE = 1 << 16;

  private IdxWriter() {}

  /** Writes images as a gzipped IDX file ({@value IdxReader#IMAGES_MAGIC_HEX}). */
  public static void writeImages(Path file, IdxReader.Images images) {
    write(
        file,
        header(IdxReader.IMAGES_MAGIC, images.count(), images.rows(), images.columns()),
        images.pixels());
  }

  /**
   * Writes images given one array per image as a gzipped IDX file.
   *
   * @param images at least one image, each {@code rows * columns} unsigned bytes, row-major
   */
  public static void writeImages(Path file, byte[][] images, int rows, int columns) {
    if (images.length == 0) {
      throw new IllegalArgumentException("no images to write to " + file);
    }
    int size = rows * columns;
    byte[] pixels = new byte[Math.multiplyExact(images.length, size)];
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != size) {
        throw new IllegalArgumentException(
            "image " + i + " has " + images[i].length + " bytes, not " + rows + " x " + columns);
      }
      System.arraycopy(images[i], 0, pixels, i * size, size);
    }
    writeImages(file, new IdxReader.Images(images.length, rows, columns, pixels));
  }

  /**
   * Writes a single-channel image set as a gzipped IDX file, pixel values scaled to 0..255 and
   * rounded. Labels are not written; use {@link #writeLabels}.
   */
  public static void writeImages(Path file, ImageSet set) {
    writeImages(file, toUnsignedBytes(set));
  }

  /** Writes labels, each 0..255, as a gzipped IDX file ({@value IdxReader#LABELS_MAGIC_HEX}). */
  public static void writeLabels(Path file, int[] labels) {
    write(file, header(IdxReader.LABELS_MAGIC, labels.length), labelBytes(labels));
  }

  /** The uncompressed IDX bytes of {@code images}: header, then pixels. */
  public static byte[] encodeImages(IdxReader.Images images) {
    return concat(
        header(IdxReader.IMAGES_MAGIC, images.count(), images.rows(), images.columns()),
        images.pixels());
  }

  /** The uncompressed IDX bytes of {@code labels}: header, then one byte per label. */
  public static byte[] encodeLabels(int[] labels) {
    return concat(header(IdxReader.LABELS_MAGIC, labels.length), labelBytes(labels));
  }

  /** {@code raw} compressed as one gzip member, as written to files here. */
  public static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (OutputStream out = new SmallestGzip(bytes)) {
      out.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip in memory failed", e);
    }
    return bytes.toByteArray();
  }

  static IdxReader.Images toUnsignedBytes(ImageSet set) {
    ImageShape shape = set.shape();
    if (shape.channels() != 1) {
      throw new IllegalArgumentException(
          "IDX images have one channel; " + set.description() + " has " + shape.channels());
    }
    float[] pixels = set.pixelArray();
    byte[] bytes = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      bytes[i] = (byte) Math.round(pixels[i] * 255f);
    }
    return new IdxReader.Images(set.size(), shape.height(), shape.width(), bytes);
  }

  private static void write(Path file, byte[] header, byte[] data) {
    try (OutputStream out =
        new SmallestGzip(new BufferedOutputStream(Files.newOutputStream(file), BUFFER_SIZE))) {
      out.write(header);
      out.write(data);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot write: " + e, e);
    }
  }

  private static byte[] header(int magic, int... sizes) {
    ByteBuffer header = ByteBuffer.allocate(4 + 4 * sizes.length).putInt(magic);
    for (int size : sizes) {
      header.putInt(size);
    }
    return header.array();
  }

  private static byte[] labelBytes(int[] labels) {
    if (labels.length == 0) {
      throw new IllegalArgumentException("no labels to write");
    }
    byte[] bytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] > 255) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at index " + i + " does not fit in an unsigned byte");
      }
      bytes[i] = (byte) labels[i];
    }
    return bytes;
  }

  private static byte[] concat(byte[] header, byte[] data) {
    byte[] all = new byte[header.length + data.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(data, 0, all, header.length, data.length);
    return all;
  }

  /** Gzip at the best compression level, which keeps the embedded sample small. */
  private static final class SmallestGzip extends GZIPOutputStream {

    SmallestGzip(OutputStream out) throws IOException {
      super(out, BUFFER_SIZE);
      def.setLevel(Deflater.BEST_COMPRESSION);
    }
  }
}
