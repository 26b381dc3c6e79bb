package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.api.ImageShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxWriterTest {

  @TempDir Path dir;

  @Test
  void oneArrayPerImageIsWrittenInOrder() {
    byte[][] images = {{1, 2, 3, 4, 5, 6}, {(byte) 250, 0, 0, 0, 0, 7}};
    Path file = dir.resolve("images.gz");

    IdxWriter.writeImages(file, images, 2, 3);

    IdxReader.Images read = IdxReader.readImages(file);
    assertThat(read.count()).isEqualTo(2);
    assertThat(read.rows()).isEqualTo(2);
    assertThat(read.columns()).isEqualTo(3);
    assertThat(read.pixels()).containsExactly(1, 2, 3, 4, 5, 6, (byte) 250, 0, 0, 0, 0, 7);
  }

  @Test
  void imageSetIsWrittenScaledBackToBytes() {
    IdxReader.Images bytes = Fixtures.images(4, 5, 6);
    ImageSet set =
        ImageSet.ofUnsignedBytes(bytes.pixels(), new ImageShape(1, 5, 6), null, List.of(), "test");
    Path file = dir.resolve("set.gz");

    IdxWriter.writeImages(file, set);

    assertThat(IdxReader.readImages(file).pixels()).isEqualTo(bytes.pixels());
  }

  @Test
  void multiChannelSetIsRefused() {
    ImageSet rgb =
        ImageSet.ofUnsignedBytes(new byte[12], new ImageShape(3, 2, 2), null, List.of(), "rgb");

    assertThatThrownBy(() -> IdxWriter.writeImages(dir.resolve("rgb.gz"), rgb))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one channel");
  }

  @Test
  void labelsOutsideAByteAreRefused() {
    assertThatThrownBy(() -> IdxWriter.writeLabels(dir.resolve("l.gz"), new int[] {3, 256}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 256 at index 1");
  }

  @Test
  void sameInputGivesIdenticalBytes() throws IOException {
    IdxWriter.writeImages(dir.resolve("a.gz"), Fixtures.images(3, 28, 28));
    IdxWriter.writeImages(dir.resolve("b.gz"), Fixtures.images(3, 28, 28));

    assertThat(Files.readAllBytes(dir.resolve("a.gz")))
        .isEqualTo(Files.readAllBytes(dir.resolve("b.gz")));
  }
}
