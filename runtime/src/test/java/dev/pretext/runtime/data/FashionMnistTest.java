package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static final Function<String, String> NO_ENV = name -> null;

  @TempDir Path dir;

  private static Function<String, String> env(Path dataFolder) {
    return Map.of(FashionMnist.DATA_ENV, dataFolder.toString())::get;
  }

  private static long[] perClass(ImageSet set) {
    long[] counts = new long[FashionMnist.CLASS_NAMES.size()];
    Arrays.stream(set.labels()).forEach(label -> counts[label]++);
    return counts;
  }

  @Test
  void embeddedSampleHas600And100RealImagesPerClass() {
    FashionMnist.Split split = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);

    for (ImageSet set : new ImageSet[] {split.train(), split.test()}) {
      assertThat(set.shape()).hasToString("1x28x28");
      assertThat(set.classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
      assertThat(set.images().minNumber().floatValue()).isGreaterThanOrEqualTo(0f);
      assertThat(set.images().maxNumber().floatValue()).isLessThanOrEqualTo(1f);
      // Real clothing covers roughly a third to half of the frame; an all-black sample would not.
      assertThat(set.images().meanNumber().doubleValue()).isBetween(0.15, 0.5);
    }
    assertThat(split.train().size()).isEqualTo(6000);
    assertThat(split.test().size()).isEqualTo(1000);
    assertThat(perClass(split.train())).containsOnly(600);
    assertThat(perClass(split.test())).containsOnly(100);
    assertThat(split.train().description()).contains("embedded sample");
  }

  @Test
  void embeddedSampleShipsItsLicence() throws IOException {
    try (var licence = FashionMnist.class.getResourceAsStream("fashion-mnist-sample/LICENSE")) {
      assertThat(licence).isNotNull();
      assertThat(new String(licence.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("Copyright (c) 2017 Zalando SE")
          .contains("Permission is hereby granted, free of charge");
    }
  }

  @Test
  void configuredPathBeatsEnvironmentBeatsSystemFolder() throws IOException {
    Path configured = Fixtures.fashionFolder(dir.resolve("configured"), 1, 1);
    Path fromEnv = Fixtures.fashionFolder(dir.resolve("env"), 1, 1);
    Path system = Fixtures.fashionFolder(dir.resolve("system"), 1, 1);

    assertThat(FashionMnist.locate(configured, env(fromEnv), system)).isEqualTo(configured);
    assertThat(FashionMnist.locate(null, env(fromEnv), system)).isEqualTo(fromEnv);
    assertThat(FashionMnist.locate(null, NO_ENV, system)).isEqualTo(system);
  }

  @Test
  void anExplicitPathMissingAFileFailsInsteadOfFallingBackToOtherData() throws IOException {
    Path incomplete = Fixtures.fashionFolder(dir.resolve("incomplete"), 1, 1);
    Files.delete(incomplete.resolve("t10k-labels-idx1-ubyte.gz"));
    Path fromEnv = Fixtures.fashionFolder(dir.resolve("env"), 1, 1);
    Path system = Fixtures.fashionFolder(dir.resolve("system"), 1, 1);

    assertThatThrownBy(() -> FashionMnist.load(FashionMnist.Source.FULL, incomplete, env(fromEnv)))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("Fashion-MNIST (full) not found in " + incomplete + " (suite.data.path)");
    assertThatThrownBy(() -> FashionMnist.locate(incomplete, env(fromEnv), system))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("are not searched when suite.data.path is set")
        .hasMessageContaining("1. " + incomplete + " (suite.data.path): lacks t10k-labels-idx1-ubyte[.gz]\n")
        .hasMessageContaining("2. " + incomplete.resolve("fashion-mnist")
            + " (suite.data.path/fashion-mnist): does not exist\n")
        .hasMessageNotContaining("3. ")
        .hasMessageContaining("put the missing files into " + incomplete)
        .hasMessageContaining("remove suite.data.path");
  }

  @Test
  void anExplicitPathMayHoldTheDatasetFolder() throws IOException {
    Path configured = dir.resolve("configured");
    Fixtures.fashionFolder(configured.resolve("fashion-mnist"), 1, 1);

    assertThat(FashionMnist.locate(configured, NO_ENV, dir.resolve("none")))
        .isEqualTo(configured.resolve("fashion-mnist"));
  }

  @Test
  void environmentMayNameAParentOfAFashionMnistFolder() throws IOException {
    Fixtures.fashionFolder(dir.resolve("datasets").resolve("fashion-mnist"), 1, 1);

    assertThat(FashionMnist.locate(null, env(dir.resolve("datasets")), dir.resolve("none")))
        .isEqualTo(dir.resolve("datasets").resolve("fashion-mnist"));
  }

  @Test
  void missingEverywhereListsEveryPlaceInTheOrderLookedAndTheFixes() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path system = dir.resolve("system");

    assertThatThrownBy(() -> FashionMnist.locate(null, env(empty), system))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("Fashion-MNIST (full) not found. Looked in:\n"
            + "  1. suite.data.path: not set\n"
            + "  2. " + empty + " ($PRETEXT_DATA): lacks train-images-idx3-ubyte[.gz]")
        .hasMessageContaining("\n  3. " + empty.resolve("fashion-mnist")
            + " ($PRETEXT_DATA/fashion-mnist): does not exist\n"
            + "  4. " + system + " (system folder): does not exist\n")
        .hasMessageContaining("apt-get install dataset-fashion-mnist")
        .hasMessageContaining("set PRETEXT_DATA")
        .hasMessageContaining("suite.data.path");
  }

  @Test
  void unsetSettingsAreListedAsNotSet() {
    assertThatThrownBy(() -> FashionMnist.locate(null, NO_ENV, dir.resolve("system")))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("1. suite.data.path: not set")
        .hasMessageContaining("2. $PRETEXT_DATA: not set")
        .hasMessageContaining("3. " + dir.resolve("system") + " (system folder): does not exist");
  }

  @Test
  void fullSourceLoadsTheConfiguredFolder() throws IOException {
    Path configured = Fixtures.fashionFolder(dir.resolve("configured"), 3, 2);

    FashionMnist.Split split =
        FashionMnist.load(FashionMnist.Source.FULL, configured, env(dir.resolve("nowhere")));

    assertThat(split.train().size()).isEqualTo(30);
    assertThat(split.test().size()).isEqualTo(20);
    assertThat(perClass(split.train())).containsOnly(3);
    assertThat(split.train().description()).contains(configured.toString());
  }

  @Test
  void rawFilesAreAcceptedUnderTheirPlainNames() throws IOException {
    Path folder = Fixtures.rawFashionFolder(dir.resolve("raw"), 2, 1);

    FashionMnist.Split split = FashionMnist.loadFolder(folder);

    assertThat(split.train().size()).isEqualTo(20);
    assertThat(split.test().size()).isEqualTo(10);
    assertThat(split.test().images().getFloat(3, 0, 0, 5))
        .isEqualTo((Fixtures.images(10, 28, 28).pixels()[3 * 784 + 5] & 0xff) / 255f);
  }

  @Test
  void imageAndLabelCountsMustMatch() throws IOException {
    Path folder = Fixtures.fashionFolder(dir.resolve("mismatch"), 2, 1);
    Path labels = folder.resolve("train-labels-idx1-ubyte.gz");
    IdxWriter.writeLabels(labels, Fixtures.labels(19, 10));

    assertThatThrownBy(() -> FashionMnist.loadFolder(folder))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(folder.resolve("train-images-idx3-ubyte.gz").toString())
        .hasMessageContaining("holds 20 images but " + labels + " holds 19 labels");
  }

  @Test
  void labelsMustBeFashionMnistClasses() throws IOException {
    Path folder = Fixtures.fashionFolder(dir.resolve("labels"), 1, 1);
    int[] labels = Fixtures.labels(10, 10);
    labels[4] = 12;
    IdxWriter.writeLabels(folder.resolve("t10k-labels-idx1-ubyte.gz"), labels);

    assertThatThrownBy(() -> FashionMnist.loadFolder(folder))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("t10k-labels-idx1-ubyte.gz")
        .hasMessageContaining("label 12 at index 4 is not a Fashion-MNIST class 0..9");
  }

  @Test
  void imagesMustBe28By28() throws IOException {
    Path folder = Fixtures.fashionFolder(dir.resolve("size"), 1, 1);
    IdxWriter.writeImages(
        folder.resolve("train-images-idx3-ubyte.gz"), Fixtures.images(10, 32, 32));

    assertThatThrownBy(() -> FashionMnist.loadFolder(folder))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz")
        .hasMessageContaining("images are 32 x 32 pixels; Fashion-MNIST images are 28 x 28");
  }
}
