package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir Path dir;

  @Test
  void writtenImagesAndLabelsReadBackUnchanged() {
    IdxReader.Images images = Fixtures.images(5, 4, 3);
    int[] labels = {0, 9, 255, 3, 1};
    IdxWriter.writeImages(dir.resolve("images.gz"), images);
    IdxWriter.writeLabels(dir.resolve("labels.gz"), labels);

    IdxReader.Images read = IdxReader.readImages(dir.resolve("images.gz"));

    assertThat(read.count()).isEqualTo(5);
    assertThat(read.rows()).isEqualTo(4);
    assertThat(read.columns()).isEqualTo(3);
    assertThat(read.pixels()).isEqualTo(images.pixels());
    assertThat(IdxReader.readLabels(dir.resolve("labels.gz"))).containsExactly(labels);
  }

  @Test
  void gzipIsRecognisedByContentNotByName() throws IOException {
    IdxReader.Images images = Fixtures.images(3, 28, 28);
    byte[] raw = IdxWriter.encodeImages(images);
    Path rawNamedGz = Files.write(dir.resolve("raw.gz"), raw);
    Path gzippedNamedRaw = Files.write(dir.resolve("gzipped-idx3-ubyte"), IdxWriter.gzip(raw));

    assertThat(IdxReader.readImages(rawNamedGz).pixels()).isEqualTo(images.pixels());
    assertThat(IdxReader.readImages(gzippedNamedRaw).pixels()).isEqualTo(images.pixels());
    assertThat(IdxWriter.gzip(raw)).startsWith((byte) 0x1f, (byte) 0x8b);
  }

  @Test
  void rawLabelsAreRead() throws IOException {
    Path file = Files.write(dir.resolve("labels"), IdxWriter.encodeLabels(new int[] {7, 0, 200}));

    assertThat(IdxReader.readLabels(file)).containsExactly(7, 0, 200);
  }

  @Test
  void bytesAfterTheDataAreIgnored() throws IOException {
    IdxReader.Images images = Fixtures.images(2, 28, 28);
    byte[] raw = IdxWriter.encodeImages(images);
    byte[] padded = Arrays.copyOf(raw, raw.length + 100);
    Arrays.fill(padded, raw.length, padded.length, (byte) 0x5a);
    Path file = Files.write(dir.resolve("padded"), IdxWriter.gzip(padded));

    assertThat(IdxReader.readImages(file).pixels()).isEqualTo(images.pixels());
  }

  @Test
  void badMagicNumberNamesFileAndBothValuesInHex() throws IOException {
    byte[] raw = IdxWriter.encodeImages(Fixtures.images(2, 28, 28));
    raw[2] = 0x0d; // data type "float" instead of "unsigned byte"
    Path file = Files.write(dir.resolve("float-images.gz"), IdxWriter.gzip(raw));

    DatasetException e =
        catchThrowableOfType(DatasetException.class, () -> IdxReader.readImages(file));

    assertThat(e.file()).isEqualTo(file);
    assertThat(e)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("magic")
        .hasMessageContaining("expected 0x00000803")
        .hasMessageContaining("found 0x00000D03");
  }

  @Test
  void textFileIsReportedAsNotIdx() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.txt"), "hello, world");

    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("notes.txt")
        .hasMessageContaining("bad magic number: expected 0x00000801")
        .hasMessageContaining("found 0x68656C6C")
        .hasMessageContaining("not an IDX file");
  }

  @Test
  void truncatedDataReportsExpectedAndFoundByteCounts() throws IOException {
    byte[] raw = IdxWriter.encodeImages(Fixtures.images(3, 28, 28));
    Path file = Files.write(dir.resolve("short-images"), Arrays.copyOf(raw, 16 + 1000));

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("truncated")
        .hasMessageContaining("expected 2352 bytes of data (3 images of 28 x 28 pixels)")
        .hasMessageContaining("found 1000");
  }

  @Test
  void truncatedLabelsInsideCompleteGzipReportByteCounts() throws IOException {
    byte[] raw = IdxWriter.encodeLabels(Fixtures.labels(50, 10));
    Path file = Files.write(dir.resolve("labels.gz"), IdxWriter.gzip(Arrays.copyOf(raw, 8 + 49)));

    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("labels.gz")
        .hasMessageContaining("truncated: expected 50 bytes of data (50 labels), found 49");
  }

  @Test
  void cutOffGzipStreamIsReportedAsTruncated() throws IOException {
    byte[] gzipped = IdxWriter.gzip(IdxWriter.encodeImages(Fixtures.images(40, 28, 28)));
    Path file = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gzipped, gzipped.length / 2));

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("cut.gz")
        .hasMessageContaining("truncated: expected 31360 bytes of data")
        .hasMessageMatching("(?s).*found \\d+ after decompressing.*");
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path file = Files.write(dir.resolve("tiny"), new byte[] {0, 0, 8, 3, 0, 0});

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("tiny")
        .hasMessageContaining("truncated header")
        .hasMessageContaining("found 2 bytes");
  }

  @Test
  void labelsFileReadAsImagesHasWrongNumberOfDimensions() throws IOException {
    Path file = Files.write(dir.resolve("labels"), IdxWriter.encodeLabels(new int[] {1, 2}));

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("wrong number of dimensions: expected 3")
        .hasMessageContaining("found 1");
  }

  @Test
  void imagesFileReadAsLabelsHasWrongNumberOfDimensions() throws IOException {
    Path file =
        Files.write(dir.resolve("images"), IdxWriter.encodeImages(Fixtures.images(1, 2, 2)));

    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("wrong number of dimensions: expected 1")
        .hasMessageContaining("found 3");
  }

  @Test
  void zeroOrNegativeSizeIsRejected() throws IOException {
    byte[] zeroRows = ByteBuffer.allocate(16).putInt(0x803).putInt(5).putInt(0).putInt(28).array();
    byte[] negativeCount = ByteBuffer.allocate(8).putInt(0x801).putInt(-1).array();
    Path rows = Files.write(dir.resolve("zero-rows"), zeroRows);
    Path count = Files.write(dir.resolve("negative-count"), negativeCount);

    assertThatThrownBy(() -> IdxReader.readImages(rows))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("zero-rows")
        .hasMessageContaining("dimension 2 of 3")
        .hasMessageContaining("has size 0");
    assertThatThrownBy(() -> IdxReader.readLabels(count))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("has size -1 (0xFFFFFFFF)");
  }

  @Test
  void missingFileIsNamed() {
    Path file = dir.resolve("absent.gz");

    DatasetException e =
        catchThrowableOfType(DatasetException.class, () -> IdxReader.readLabels(file));

    assertThat(e.file()).isEqualTo(file);
    assertThat(e).hasMessage(file + ": file not found");
  }

  @Test
  void streamErrorsNameTheSourceAndHaveNoFile() {
    byte[] raw = IdxWriter.encodeLabels(new int[] {1, 2, 3});
    ByteArrayInputStream in = new ByteArrayInputStream(Arrays.copyOf(raw, raw.length - 1));

    DatasetException e =
        catchThrowableOfType(
            DatasetException.class, () -> IdxReader.readLabels(in, "classpath resource x.gz"));

    assertThat(e.file()).isNull();
    assertThat(e).hasMessageStartingWith("classpath resource x.gz: truncated");
  }
}
