package dev.pretext.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (format described at
 * http://yann.lecun.com/exdb/mnist/): unsigned-byte images ({@value #IMAGES_MAGIC_HEX}, three
 * dimensions: count, rows, columns) and unsigned-byte labels ({@value #LABELS_MAGIC_HEX}, one
 * dimension). Files may be gzipped or raw; gzip is recognised by its magic bytes, not by the file
 * name, because downloads and distribution packages disagree about names.
 *
 * <p>Every problem is reported as a {@link DatasetException} naming the file and saying what is
 * wrong: a bad magic number (expected and found, in hex), the wrong number of dimensions, a size
 * that is not positive, or a truncated file (bytes expected and found). Bytes after the declared
 * data are ignored.
 */
public final class IdxReader {

  /** Magic number of an unsigned-byte, three-dimensional IDX file (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an unsigned-byte, one-dimensional IDX file (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  static final String IMAGES_MAGIC_HEX = "0x00000803";
  static final String LABELS_MAGIC_HEX = "0x00000801";

  private static final int UNSIGNED_BYTE = 0x08;
  private static final int BUFFER_SIZE = 1 << 16;
  // A corrupt header can declare gigabytes; the data buffer grows from this size as bytes arrive
  // instead of being allocated up front.
  private static final int INITIAL_DATA_BUFFER = 1 << 24;
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private IdxReader() {}

  /**
   * Images as stored in an IDX file: unsigned bytes, image after image, each row-major.
   *
   * @param count number of images
   * @param rows height of each image
   * @param columns width of each image
   * @param pixels {@code count * rows * columns} bytes, 0 = background; not copied, so callers
   *     share it
   */
  public record Images(int count, int rows, int columns, byte[] pixels) {

    public Images {
      if (count <= 0 || rows <= 0 || columns <= 0) {
        throw new IllegalArgumentException(
            "sizes must be positive, got " + count + " x " + rows + " x " + columns);
      }
      if (pixels.length != (long) count * rows * columns) {
        throw new IllegalArgumentException(
            pixels.length + " pixel bytes do not make " + count + " images of " + rows + " x "
                + columns);
      }
    }

    /** Bytes per image, {@code rows * columns}. */
    public int imageSize() {
      return rows * columns;
    }

    /** A copy holding only the images at {@code indices}, in that order. */
    public Images select(int[] indices) {
      int size = imageSize();
      byte[] selected = new byte[Math.multiplyExact(indices.length, size)];
      for (int i = 0; i < indices.length; i++) {
        int index = indices[i];
        if (index < 0 || index >= count) {
          throw new IndexOutOfBoundsException(
              "image index " + index + " out of range for " + count + " images");
        }
        System.arraycopy(pixels, index * size, selected, i * size, size);
      }
      return new Images(indices.length, rows, columns, selected);
    }
  }

  /** Reads an images file ({@value #IMAGES_MAGIC_HEX}), gzipped or raw. */
  public static Images readImages(Path file) {
    try (InputStream in = open(file)) {
      return readImages(in, Origin.of(file));
    } catch (IOException e) {
      throw closeFailed(file, e);
    }
  }

  /**
   * Reads an images file from a stream, gzipped or raw; the stream is left open.
   *
   * @param in the file's bytes
   * @param source names the stream in error messages, e.g. a classpath resource
   */
  public static Images readImages(InputStream in, String source) {
    return readImages(in, Origin.of(source));
  }

  /** Reads a labels file ({@value #LABELS_MAGIC_HEX}), gzipped or raw; labels are 0..255. */
  public static int[] readLabels(Path file) {
    try (InputStream in = open(file)) {
      return readLabels(in, Origin.of(file));
    } catch (IOException e) {
      throw closeFailed(file, e);
    }
  }

  /**
   * Reads a labels file from a stream, gzipped or raw; the stream is left open.
   *
   * @param in the file's bytes
   * @param source names the stream in error messages, e.g. a classpath resource
   */
  public static int[] readLabels(InputStream in, String source) {
    return readLabels(in, Origin.of(source));
  }

  /**
   * What an IDX file's header declares and whether the file holds it, read without keeping its
   * data: for a raw file the length on disk is compared with the header; a gzipped file is
   * decompressed as a stream and its bytes counted (the gzip checksum is checked on the way).
   *
   * @param sizes the dimension sizes the header declares, all positive
   * @param trailingBytes bytes after the declared data (readers ignore them)
   */
  public record Header(int[] sizes, long trailingBytes) {}

  /**
   * Checks an IDX file as {@link #readImages(Path)} would read it, without holding its data: the
   * same messages for a bad magic number, wrong dimensions, sizes, a file cut short or corrupt.
   *
   * @param expectedMagic {@link #IMAGES_MAGIC} or {@link #LABELS_MAGIC}
   * @throws DatasetException naming the file and what is wrong
   */
  public static Header inspect(Path file, int expectedMagic) {
    boolean images = expectedMagic == IMAGES_MAGIC;
    Origin origin = Origin.of(file);
    try (InputStream in = open(file); Decoder decoder = Decoder.open(in, origin)) {
      int[] sizes = decoder.header(expectedMagic, images ? "image count, rows, columns" : "label count");
      long length = 1;
      for (int size : sizes) {
        length *= size;
      }
      String what = images ? sizes[0] + " images of " + sizes[1] + " x " + sizes[2] + " pixels"
          : sizes[0] + " labels";
      long headerBytes = 4L * (1 + sizes.length);
      if (!decoder.gzipped) {
        long found = Math.max(0, size(file) - headerBytes);
        if (found < length) {
          throw origin.error("truncated: expected " + length + " bytes of data (" + what + "), found " + found);
        }
        return new Header(sizes, found - length);
      }
      long found = decoder.skip(length, what);
      if (found < length) {
        throw origin.error("truncated: expected " + length + " bytes of data (" + what + "), found " + found
            + " after decompressing");
      }
      return new Header(sizes, decoder.rest(length));
    } catch (IOException e) {
      throw closeFailed(file, e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot read its size: " + e, e);
    }
  }

  private static Images readImages(InputStream in, Origin origin) {
    try (Decoder decoder = Decoder.open(in, origin)) {
      int[] sizes = decoder.header(IMAGES_MAGIC, "image count, rows, columns");
      String what = sizes[0] + " images of " + sizes[1] + " x " + sizes[2] + " pixels";
      long length = (long) sizes[0] * sizes[1] * sizes[2];
      byte[] pixels = decoder.data(length, what);
      return new Images(sizes[0], sizes[1], sizes[2], pixels);
    }
  }

  private static int[] readLabels(InputStream in, Origin origin) {
    try (Decoder decoder = Decoder.open(in, origin)) {
      int[] sizes = decoder.header(LABELS_MAGIC, "label count");
      byte[] bytes = decoder.data(sizes[0], sizes[0] + " labels");
      int[] labels = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    }
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DatasetException(file, "file not found", e);
    } catch (AccessDeniedException e) {
      throw new DatasetException(file, "permission denied", e);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot open: " + e, e);
    }
  }

  private static DatasetException closeFailed(Path file, IOException e) {
    return new DatasetException(file, "cannot close after reading: " + e, e);
  }

  static String hex(int value) {
    return String.format(Locale.ROOT, "0x%08X", value);
  }

  /** Where bytes came from: a file on disk or a named stream, for error messages. */
  record Origin(Path file, String name) {

    static Origin of(Path file) {
      return new Origin(file, file.toString());
    }

    static Origin of(String name) {
      return new Origin(null, name);
    }

    DatasetException error(String problem) {
      return error(problem, null);
    }

    DatasetException error(String problem, Throwable cause) {
      return file != null
          ? new DatasetException(file, problem, cause)
          : new DatasetException(name + ": " + problem, cause);
    }
  }

  /** Decodes one IDX stream, unwrapping gzip and turning I/O failures into precise messages. */
  private static final class Decoder implements AutoCloseable {

    private final InputStream in;
    private final Origin origin;
    private final boolean gzipped;

    private Decoder(InputStream in, Origin origin, boolean gzipped) {
      this.in = in;
      this.origin = origin;
      this.gzipped = gzipped;
    }

    static Decoder open(InputStream source, Origin origin) {
      // Closing the decoder must release the inflater but not close a stream the caller owns.
      InputStream unclosable =
          new FilterInputStream(source) {
            @Override
            public void close() {}
          };
      BufferedInputStream buffered = new BufferedInputStream(unclosable, BUFFER_SIZE);
      try {
        buffered.mark(2);
        boolean gzipped = buffered.read() == 0x1f && buffered.read() == 0x8b;
        buffered.reset();
        if (!gzipped) {
          return new Decoder(buffered, origin, false);
        }
        try {
          InputStream unzipped = new GZIPInputStream(buffered, BUFFER_SIZE);
          return new Decoder(new BufferedInputStream(unzipped, BUFFER_SIZE), origin, true);
        } catch (EOFException e) {
          throw origin.error("truncated: the file ends inside its gzip header", e);
        } catch (ZipException e) {
          throw origin.error("corrupt gzip header: " + e.getMessage(), e);
        }
      } catch (IOException e) {
        throw origin.error("cannot read: " + e, e);
      }
    }

    /** Checks the magic number and returns the dimension sizes, all positive. */
    int[] header(int expectedMagic, String dimensionNames) {
      int magic = readInt("a 4-byte IDX magic number");
      int expectedDimensions = expectedMagic & 0xff;
      if ((magic & 0xffffff00) != (expectedMagic & 0xffffff00)) {
        throw origin.error(
            "bad magic number: expected "
                + hex(expectedMagic)
                + " (IDX of unsigned bytes, "
                + expectedDimensions
                + " dimensions), found "
                + hex(magic)
                + hint(magic));
      }
      int dimensions = magic & 0xff;
      if (dimensions != expectedDimensions) {
        throw origin.error(
            "wrong number of dimensions: expected "
                + expectedDimensions
                + " ("
                + dimensionNames
                + "), found "
                + dimensions
                + " (magic number "
                + hex(magic)
                + ")");
      }
      int[] sizes = new int[dimensions];
      for (int d = 0; d < dimensions; d++) {
        sizes[d] = readInt("the size of dimension " + (d + 1) + " of " + dimensions);
        if (sizes[d] <= 0) {
          throw origin.error(
              "dimension "
                  + (d + 1)
                  + " of "
                  + dimensions
                  + " ("
                  + dimensionNames
                  + ") has size "
                  + sizes[d]
                  + " ("
                  + hex(sizes[d])
                  + "); sizes must be positive");
        }
      }
      return sizes;
    }

    /** Reads exactly {@code length} bytes of data that the header announced as {@code what}. */
    byte[] data(long length, String what) {
      if (length > MAX_ARRAY) {
        throw origin.error(
            "declares " + what + " = " + length + " bytes, more than one array can hold");
      }
      int expected = (int) length;
      byte[] buffer = new byte[Math.min(expected, INITIAL_DATA_BUFFER)];
      int found = 0;
      try {
        while (found < expected) {
          if (found == buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(expected, 2L * buffer.length));
          }
          int read = in.read(buffer, found, buffer.length - found);
          if (read < 0) {
            break;
          }
          found += read;
        }
      } catch (EOFException e) {
        // GZIPInputStream signals a cut-off stream this way; the count read so far is the story.
      } catch (IOException e) {
        throw origin.error(
            (gzipped ? "corrupt gzip data" : "read error")
                + " after "
                + found
                + " of "
                + expected
                + " bytes of data ("
                + what
                + "): "
                + e.getMessage(),
            e);
      }
      if (found < expected) {
        throw origin.error(
            "truncated: expected "
                + expected
                + " bytes of data ("
                + what
                + "), found "
                + found
                + (gzipped ? " after decompressing" : ""));
      }
      return buffer;
    }

    /**
     * Reads and discards up to {@code length} bytes, returning how many there were (fewer when the
     * stream ends first); corrupt gzip data fails as in {@link #data}.
     */
    long skip(long length, String what) {
      byte[] buffer = new byte[BUFFER_SIZE];
      long found = 0;
      try {
        while (found < length) {
          int read = in.read(buffer, 0, (int) Math.min(buffer.length, length - found));
          if (read < 0) {
            break;
          }
          found += read;
        }
      } catch (EOFException e) {
        // As in data(): a cut-off gzip stream; the count read so far is the story.
      } catch (IOException e) {
        throw origin.error((gzipped ? "corrupt gzip data" : "read error") + " after " + found + " of "
            + length + " bytes of data (" + what + "): " + e.getMessage(), e);
      }
      return found;
    }

    /**
     * Counts the bytes left after {@code dataLength} bytes of data; reaching the end checks a
     * gzipped file's checksum, which a reader that stops after the data never looks at.
     */
    long rest(long dataLength) {
      byte[] buffer = new byte[BUFFER_SIZE];
      long found = 0;
      try {
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          found += read;
        }
      } catch (IOException e) {
        throw origin.error((gzipped ? "corrupt gzip data" : "read error") + " after the " + dataLength
            + " bytes of data: " + e.getMessage(), e);
      }
      return found;
    }

    private int readInt(String what) {
      byte[] bytes = new byte[4];
      int found = 0;
      try {
        while (found < 4) {
          int read = in.read(bytes, found, 4 - found);
          if (read < 0) {
            break;
          }
          found += read;
        }
      } catch (EOFException e) {
        // As in data(): reported below with the byte count.
      } catch (IOException e) {
        throw origin.error(
            (gzipped ? "corrupt gzip data" : "read error")
                + " in the header: "
                + e.getMessage(),
            e);
      }
      if (found < 4) {
        throw origin.error(
            "truncated header: expected " + what + ", found " + found + " bytes");
      }
      return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8
          | (bytes[3] & 0xff);
    }

    private static String hint(int magic) {
      if ((magic >>> 16) == 0x1f8b) {
        return "; the file is gzipped twice";
      }
      return (magic >>> 16) != 0 ? "; this is not an IDX file" : "";
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        throw origin.error("cannot close: " + e, e);
      }
    }
  }
}
