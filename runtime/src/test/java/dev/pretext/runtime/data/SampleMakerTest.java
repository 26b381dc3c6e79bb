package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleMakerTest {

  @TempDir Path dir;

  @Test
  void writesAStratifiedSampleOfEachSplit() throws IOException {
    Path source = Fixtures.fashionFolder(dir.resolve("source"), 5, 3);
    Path out = dir.resolve("out");

    List<String> report = SampleMaker.make(source, out, 2, 1, 7);

    assertThat(report).hasSize(2);
    assertThat(report.get(0)).startsWith("train-images-idx3-ubyte: 20 of 50 images (2 per class");
    assertThat(report.get(1)).startsWith("t10k-images-idx3-ubyte: 10 of 30 images (1 per class");

    int[] trainLabels = IdxReader.readLabels(out.resolve("train-labels-idx1-ubyte.gz"));
    IdxReader.Images trainImages = IdxReader.readImages(out.resolve("train-images-idx3-ubyte.gz"));
    assertThat(trainLabels)
        .containsExactlyInAnyOrder(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9);
    int[] chosen = ImageSet.stratifiedIndices(Fixtures.labels(50, 10), 10, 2, 7);
    assertThat(trainImages.pixels()).isEqualTo(Fixtures.images(50, 28, 28).select(chosen).pixels());
    assertThat(IdxReader.readLabels(out.resolve("t10k-labels-idx1-ubyte.gz")))
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(IdxReader.readImages(out.resolve("t10k-images-idx3-ubyte.gz")).count())
        .isEqualTo(10);
  }

  @Test
  void tooFewImagesOfAClassIsReported() throws IOException {
    Path source = Fixtures.fashionFolder(dir.resolve("source"), 5, 3);

    assertThatThrownBy(() -> SampleMaker.make(source, dir.resolve("out"), 6, 1, 7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class 0 has 5 examples, fewer than the 6 asked for");
  }

  /** The shipped sample must be exactly what its README says made it. */
  @Test
  void reproducesTheEmbeddedSampleFromTheFullDataSet() throws IOException {
    Path full = FashionMnist.SYSTEM_FOLDER;
    assumeTrue(
        FashionMnist.FILES.stream().allMatch(name -> FashionMnist.findFile(full, name) != null),
        "the full data set is not installed in " + full);
    Path out = dir.resolve("sample");

    SampleMaker.make(full, out, 600, 100, 42);

    for (String name : FashionMnist.FILES) {
      try (InputStream shipped =
          FashionMnist.class.getResourceAsStream("fashion-mnist-sample/" + name + ".gz")) {
        assertThat(shipped).as(name).isNotNull();
        assertThat(Files.readAllBytes(out.resolve(name + ".gz")))
            .as(name)
            .isEqualTo(shipped.readAllBytes());
      }
    }
  }
}
