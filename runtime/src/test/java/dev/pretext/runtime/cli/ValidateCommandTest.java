package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.data.IdxReader;
import dev.pretext.runtime.data.IdxWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pretext validate} through the command line, with the test class path's fake plugin. */
class ValidateCommandTest {

  @TempDir Path dir;

  private static CliCapture.Result cli(Path home, String... args) {
    return CliCapture.run(home, args);
  }

  /** A Fashion-MNIST folder of raw IDX files: 20 train and 10 test images. */
  private Path fashionFolder(String name) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (String split : new String[] {"train", "t10k"}) {
      int count = split.equals("train") ? 20 : 10;
      int[] labels = new int[count];
      Arrays.setAll(labels, i -> i % 10);
      Files.write(folder.resolve(split + "-images-idx3-ubyte"),
          IdxWriter.encodeImages(new IdxReader.Images(count, 28, 28, new byte[count * 28 * 28])));
      Files.write(folder.resolve(split + "-labels-idx1-ubyte"), IdxWriter.encodeLabels(labels));
    }
    return folder;
  }

  private Path suite(Path data, String extra) throws Exception {
    return Files.writeString(dir.resolve("v.conf"), """
        suite {
          name = v
          data { source = full, path = "%s" }
          encoder { type = tiny }
          methods = [ brightness ]
          baselines = []
          %s
        }
        """.formatted(data, extra));
  }

  @Test
  void validateOpensTheSegmentationScenesAndNamesTheirBlockWhenTheyAreMissing() throws Exception {
    Path data = fashionFolder("fm");
    Path missing = dir.resolve("no-voc-here");
    Path suite = suite(data, "evaluation.segmentation { enabled = true, data { dataset = voc-segmentation, path = \""
        + missing + "\" } }");
    CliCapture.Result bad = cli(dir, "validate", suite.toString());
    assertThat(bad.code()).isEqualTo(3);
    assertThat(bad.out() + bad.err()).contains("suite.evaluation.segmentation.data").contains(missing.toString());

    Path scenes = suite(data, "evaluation.segmentation { enabled = true, data.source = full }");
    CliCapture.Result good = cli(dir, "validate", scenes.toString());
    assertThat(good.code()).as(good.err()).isZero();
    assertThat(good.out()).contains("data: suite.evaluation.segmentation.data: garment scenes from Fashion-MNIST in "
        + data);
  }

  @Test
  void validateOpensTheDataAndFailsWithExitCode3NamingTheFileAndWhatIsWrong() throws Exception {
    Path data = fashionFolder("fm");
    Path suite = suite(data, "");
    CliCapture.Result good = cli(dir, "validate", suite.toString());
    assertThat(good.code()).as(good.err()).isZero();
    assertThat(good.out()).contains("data: suite.data: Fashion-MNIST in " + data
        + ": 20 train and 10 test images of 28 x 28, labels 0..9").contains("v.conf is valid");

    Path images = data.resolve("t10k-images-idx3-ubyte");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length - 784));
    CliCapture.Result truncated = cli(dir, "validate", suite.toString());
    assertThat(truncated.code()).isEqualTo(ExitCodes.BAD_DATA);
    assertThat(truncated.err()).contains("error: dataset: " + suite + " names 1 bad or missing dataset:")
        .contains("1. suite.data: " + images + ": truncated: expected 7840 bytes of data (10 images of 28 x 28"
            + " pixels), found 7056")
        .doesNotContain("\tat ");
    assertThat(truncated.out()).doesNotContain("is valid");

    // --no-data checks the configuration only.
    CliCapture.Result noData = cli(dir, "validate", suite.toString(), "--no-data");
    assertThat(noData.code()).as(noData.err()).isZero();
    assertThat(noData.out()).contains("is valid").contains("data not opened: --no-data").doesNotContain("data: suite.data");
  }

  @Test
  void everyBadDatasetOfTheSuiteIsListedOnce() throws Exception {
    Path data = fashionFolder("fm");
    Files.delete(data.resolve("train-labels-idx1-ubyte"));
    Path photos = dir.resolve("no-photos");
    Path suite = suite(data, "pretraining-data { dataset = image-folder, path = \"" + photos + "\", labels = none }");

    CliCapture.Result r = cli(dir, "validate", suite.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.BAD_DATA);
    assertThat(r.err()).contains("names 2 bad or missing datasets:")
        .contains("1. suite.data: Fashion-MNIST (full) not found in " + data + " (suite.data.path)")
        .contains("lacks train-labels-idx1-ubyte[.gz]")
        .contains("2. suite.pretraining-data: " + photos + ": image folder does not exist");
  }
}
