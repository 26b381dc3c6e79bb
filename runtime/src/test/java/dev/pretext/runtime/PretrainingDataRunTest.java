package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageFiles;
import dev.pretext.runtime.data.PretrainingData;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A suite whose methods pretrain on patches of an image folder and are evaluated on Fashion-MNIST. */
class PretrainingDataRunTest {

  @TempDir Path dir;

  private Path photos;

  @BeforeEach
  void writePhotos() throws IOException {
    photos = dir.resolve("photos");
    for (int i = 0; i < 6; i++) {
      int seed = i;
      ImageFiles.rgb(photos.resolve("photo" + i + ".jpg"), 64, 48,
          (x, y) -> ((x * (seed + 3)) % 256) << 16 | ((y * 5 + seed * 40) % 256) << 8 | (x * y) % 256);
    }
  }

  private Suite suite(String pretrainingChannels) throws IOException {
    Path file = dir.resolve("colour.conf");
    Files.writeString(file, """
        suite {
          name = colour
          data { train-limit = 400, test-limit = 200 }
          pretraining-data { path = "%s", patch-size = 28, patches = 200, held-out = 20 %s }
          encoder { type = tiny, width = 16 }
          training { epochs = 2, batch-size = 50, learning-rate = 0.01 }
          methods = [
            { type = brightness, name = on-photos }
            { type = brightness, name = on-fashion, pretraining-data = null }
          ]
          baselines = [random-init]
          evaluation { calibration-batches = 2, label-fractions = [], knn.enabled = false,
                       linear-probe { epochs = 2, min-steps = 20 } }
        }
        """.formatted(photos.toString().replace("\\", "/"), pretrainingChannels));
    return new SuiteLoader(FakePlugins.registry()).load(file, List.of());
  }

  @Test
  void methodsPretrainOnPatchesAndResultsNameBothDatasets() throws Exception {
    Suite suite = suite(", channels = 1");
    Path out = dir.resolve("out");

    SuiteRunner.Outcome outcome = new SuiteRunner(FakePlugins.registry(), new TrainingEngine())
        .run(suite, out, Set.of(), false);

    Map<String, ResultEntry> byName = outcome.entries().stream()
        .collect(Collectors.toMap(ResultEntry::name, e -> e));
    ResultEntry onPhotos = byName.get("on-photos");
    ResultEntry onFashion = byName.get("on-fashion");
    assertThat(onPhotos.ok()).as(onPhotos.reason()).isTrue();
    assertThat(onFashion.ok()).as(onFashion.reason()).isTrue();
    // 200 patches in batches of 50 for 2 epochs; the 400 Fashion-MNIST images would take 16 steps.
    assertThat(onPhotos.steps()).isEqualTo(8);
    assertThat(onFashion.steps()).isEqualTo(16);
    assertThat(onPhotos.pretrainingData())
        .startsWith("suite.pretraining-data: image folder " + photos)
        .contains("200 patches 28x28 (luma)")
        .contains("20 held out from");
    assertThat(onFashion.pretrainingData()).startsWith("suite.data: Fashion-MNIST");
    for (ResultEntry e : outcome.entries()) {
      assertThat(e.evaluationData()).startsWith("suite.data: Fashion-MNIST embedded sample, test")
          .contains("200 images of 1x28x28");
    }
    assertThat(onPhotos.metrics().get("linear_probe").get("top1")).isBetween(0.0, 1.0);

    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    JsonNode photosEntry = null;
    for (JsonNode e : results.path("entries")) {
      if (e.path("name").asText().equals("on-photos")) {
        photosEntry = e;
      }
    }
    assertThat(photosEntry).isNotNull();
    assertThat(photosEntry.path("pretrainingData").asText()).contains(photos.toString());
    assertThat(photosEntry.path("evaluationData").asText()).contains("Fashion-MNIST");
    // The exported encoder was built for the patches' shape.
    JsonNode kept = new ObjectMapper().readTree(out.resolve("encoders/on-photos-seed1.json").toFile());
    assertThat(kept.path("image_shape").toString()).isEqualTo("[1,28,28]");
  }

  @Test
  void pretrainingAndEvaluationChannelsThatDisagreeFailBeforeTraining() throws Exception {
    Suite suite = suite("");
    Path out = dir.resolve("out");

    assertThatThrownBy(() -> new SuiteRunner(FakePlugins.registry(), new TrainingEngine())
        .run(suite, out, Set.of(), false))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("suite.pretraining-data")
        .hasMessageContaining("method 'on-photos'")
        .hasMessageContaining("3x28x28 images")
        .hasMessageContaining("suite.data (fashion-mnist embedded")
        .hasMessageContaining("1x28x28 images")
        .hasMessageContaining("the trained encoder's weights do not fit the images")
        .hasMessageContaining("encoder/fc_w [2352, 16] where [784, 16] is needed");
    assertThat(out.resolve("results.json")).doesNotExist();
  }

  @Test
  void heldOutImagesArePretrainingPatchesWhenSetElseTestImages() throws Exception {
    Suite suite = suite(", channels = 1");
    PretrainingData patches = dev.pretext.runtime.data.Datasets.pretraining(
        suite.pretrainingData(), 1, w -> {});
    FashionMnist.Split fashion = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);

    var fromPatches = SuiteRunner.heldOutImages(patches, fashion, 8);
    var fromTest = SuiteRunner.heldOutImages(null, fashion, 8);

    assertThat(fromPatches).isEqualTo(patches.heldOut().batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7}));
    assertThat(fromTest).isEqualTo(fashion.test().batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7}));
  }

  @Test
  void aMethodPretrainedOnRgbIsEvaluatedAgainOnGrayImagesAndExportedForRgb() throws Exception {
    String text = """
        suite {
          name = rgb
          data { train-limit = 300, test-limit = 100 }
          pretraining-data { path = "%s", patch-size = 28, patches = 100, held-out = 10 }
          encoder { type = tiny, width = 8 }
          training { epochs = 1, batch-size = 50 }
          methods = [ { type = gray-brightness, name = rgb } ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.enabled = false,
                       linear-probe { l2 = L2, validation-fraction = 0 } }
        }
        """.formatted(photos.toString().replace("\\", "/"));
    Path before = dir.resolve("before.conf");
    Path after = dir.resolve("after.conf");
    Files.writeString(before, text.replace("L2", "10"));
    Files.writeString(after, text.replace("L2", "0.001"));
    var registry = FakePlugins.registry();
    Path out = dir.resolve("rgb");
    ResultEntry first = new SuiteRunner(registry, new TrainingEngine())
        .run(new SuiteLoader(registry).load(before, List.of()), out, Set.of(), false).entries().get(0);
    assertThat(first.ok()).as(first.reason()).isTrue();

    SuiteRunner.Outcome again = new SuiteRunner(registry, new TrainingEngine())
        .run(new SuiteLoader(registry).load(after, List.of()), out, Set.of(), true, true);

    // The task is created for its RGB patches; the kept encoder reads the gray evaluation images.
    assertThat(again.notReevaluated()).isEmpty();
    ResultEntry second = again.entries().get(0);
    assertThat(second.evaluatedWith()).contains("\"l2\":0.001").isNotEqualTo(first.evaluatedWith());
    assertThat(second.metrics().get("linear_probe")).isNotEqualTo(first.metrics().get("linear_probe"));
    // Exported, the encoder takes what it pretrained on: RGB.
    var encoder = PretrainedEncoder.load(EncoderExport.export(out, "rgb", null, dir.resolve("rgb.zip"), registry));
    assertThat(encoder.embed(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3, 28, 28))
        .shape()).containsExactly(4, 8);

    // An entry that cannot be measured again keeps its numbers; the run says so and fails.
    Files.delete(out.resolve("encoders/rgb-seed1.fb"));
    Path third = dir.resolve("third.conf");
    Files.writeString(third, text.replace("L2", "0.01"));
    SuiteRunner.Outcome broken = new SuiteRunner(registry, new TrainingEngine())
        .run(new SuiteLoader(registry).load(third, List.of()), out, Set.of(), true, true);
    assertThat(broken.notReevaluated()).containsExactly("rgb (seed 1)");
    assertThat(broken.anyFailed()).isTrue();
    assertThat(broken.entries().get(0).metrics()).isEqualTo(second.metrics());
    assertThat(broken.entries().get(0).evaluatedWith()).isEqualTo(second.evaluatedWith());
  }
}
