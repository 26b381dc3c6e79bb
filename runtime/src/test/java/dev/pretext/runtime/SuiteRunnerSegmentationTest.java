package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.report.SegmentationScores;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteRunnerSegmentationTest {

  @TempDir Path dir;

  private static final String SEGMENTATION = """
        segmentation {
          enabled = true
          data { train-scenes = 150, test-scenes = 50, canvas-size = 32, min-scale = 0.5, max-scale = 0.75 }
          stages = [1, -1]
          pixels-per-scene = 64
          pictures = 2
        }
      """;

  private Suite load(String encoder, String segmentation) throws Exception {
    return load(encoder, "[raw-pixels, random-init, supervised]", segmentation);
  }

  private Suite load(String encoder, String baselines, String segmentation) throws Exception {
    Path file = dir.resolve("suite.conf");
    Files.writeString(file, """
        suite {
          name = seg
          data { train-limit = 500, test-limit = 200 }
          encoder { %s }
          training { epochs = 1, batch-size = 50, learning-rate = 0.01 }
          methods = [ { type = brightness, name = bright } ]
          baselines = %s
          evaluation { calibration-batches = 2, label-fractions = [], knn.enabled = false,
            linear-probe.validation-fraction = 0
            %s
          }
        }
        """.formatted(encoder, baselines, segmentation));
    return new SuiteLoader(FakePlugins.registry()).load(file, List.of());
  }

  @Test
  void everyEntryIsScoredOnTheScenesAndTheReportsShowIt() throws Exception {
    Suite suite = load("type = tiny-conv, width = 8",
        SEGMENTATION.replace("pictures = 2", "pictures = 2\n fine-tune { enabled = true, epochs = 1, batch-size = 50 }"));
    Path out = dir.resolve("out");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SuiteRunner.Outcome outcome = new SuiteRunner(FakePlugins.registry(), new TrainingEngine(),
        new PrintStream(log, true, StandardCharsets.UTF_8)).run(suite, out, Set.of(), false);

    Map<String, ResultEntry> byName = outcome.entries().stream().collect(Collectors.toMap(ResultEntry::name, e -> e));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("raw-pixels", "random-init", "supervised", "bright");
    for (ResultEntry e : byName.values()) {
      SegmentationScores s = e.segmentation();
      assertThat(s).as(e.name() + "\n" + log).isNotNull();
      assertThat(s.miou()).as(e.name()).isBetween(0.05, 1.0);
      assertThat(s.pixelAccuracy()).as(e.name()).isGreaterThan(0.5);
      assertThat(s.classIou()).containsKey("background");
      assertThat(s.fittedPixels()).isEqualTo(150 * 64);
      assertThat(out.resolve("figures/" + e.name() + "-seed1-segmentation.png")).isNotEmptyFile();
    }
    // The fine-tuned variant: every entry with an encoder, one epoch of 150 scenes in batches of 50.
    assertThat(byName.get("raw-pixels").segmentationFineTuned()).isNull();
    for (String name : List.of("random-init", "supervised", "bright")) {
      SegmentationScores s = byName.get(name).segmentationFineTuned();
      assertThat(s).as(name + "\n" + log).isNotNull();
      assertThat(s.miou()).as(name).isBetween(0.0, 1.0);
      assertThat(s.iterations()).as(name).isEqualTo(3);
      assertThat(s.epochLosses()).as(name).hasSize(1);
      assertThat(s.stages()).containsExactly(1, -1);
      assertThat(out.resolve("figures/" + name + "-seed1-segmentation-fine-tuned.png")).isNotEmptyFile();
    }
    assertThat(out.resolve("work")).doesNotExist();
    assertThat(byName.get("raw-pixels").segmentation().stages()).isEmpty();
    assertThat(byName.get("bright").segmentation().stages()).containsExactly(1, -1);
    // The classification protocols still ran beside it.
    assertThat(byName.get("bright").metrics()).containsKey("linear_probe");

    assertThat(Files.readString(out.resolve("results.md"))).contains("## Segmentation").contains("mIoU")
        .contains("## Segmentation, fine-tuned");
    assertThat(Files.readString(out.resolve("results.csv"))).contains("segmentation_miou")
        .contains("segmentation_iou_background").contains("segmentation_fine_tuned_miou")
        .contains("segmentation_fine_tuned_iou_background");
    assertThat(Files.readString(out.resolve("report.html"))).contains("Segmentation").contains("mIoU")
        .contains("Segmentation, fine-tuned").contains("alt=\"bright segmentation, fine-tuned\"");
    // results.json keeps the scores: read back, they are the same.
    ResultEntry read = ResultsWriter.readEntries(out).stream().filter(e -> e.name().equals("bright")).findFirst()
        .orElseThrow();
    assertThat(read.segmentation()).isEqualTo(byName.get("bright").segmentation());
    assertThat(read.segmentationFineTuned()).isEqualTo(byName.get("bright").segmentationFineTuned());
  }

  @Test
  void anEncoderWithoutFeatureMapsCostsOnlyItsSegmentationAndSaysWhy() throws Exception {
    Suite suite = load("type = tiny, width = 8", "[random-init]", SEGMENTATION.replace("stages = [1, -1]", "stages = [-1]")
        .replace("pictures = 2", "pictures = 2\n fine-tune { enabled = true, epochs = 1 }"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SuiteRunner.Outcome outcome = new SuiteRunner(FakePlugins.registry(), new TrainingEngine(),
        new PrintStream(log, true, StandardCharsets.UTF_8)).run(suite, dir.resolve("out"), Set.of("bright"), false);
    ResultEntry random = outcome.entries().stream().filter(e -> e.name().equals("random-init")).findFirst().orElseThrow();
    assertThat(random.ok()).isTrue();
    assertThat(random.segmentation()).isNull();
    assertThat(random.segmentationFineTuned()).isNull();
    assertThat(random.metrics()).containsKey("linear_probe");
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("segmentation of random-init failed")
        .contains("segmentation fine-tuning of random-init failed").contains("no feature maps");
  }

  @Test
  void badSegmentationSettingsNameTheirKey() {
    assertThatThrownBy(() -> load("type = tiny-conv", SEGMENTATION.replace("stages = [1, -1]", "stages = [0]")))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("suite.evaluation.segmentation.stages");
    assertThatThrownBy(() -> load("type = tiny-conv",
        SEGMENTATION.replace("canvas-size = 32", "canvas-size = 32, dataset = voc-segmentation")))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("suite.evaluation.segmentation.data.path");
    assertThatThrownBy(() -> load("type = tiny-conv",
        SEGMENTATION.replace("canvas-size = 32", "canvas-size = 32, dataset = fashion-mnist-scene")))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("suite.evaluation.segmentation.data.dataset")
        .hasMessageContaining("fashion-mnist-scenes");
    assertThatThrownBy(() -> load("type = tiny-conv", SEGMENTATION.replace("pictures = 2", "pictures = 2, picture = 3")))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("picture");
    // The fine-tuned variant's keys, each at its file and line (the line the block is written on).
    String at = "suite.conf:16: ";
    assertThatThrownBy(() -> load("type = tiny-conv",
        SEGMENTATION.replace("pictures = 2", "pictures = 2\n fine-tune { enabled = true, learning-rate = 0 }")))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining(at).hasMessageContaining("suite.evaluation.segmentation.fine-tune.learning-rate")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> load("type = tiny-conv",
        SEGMENTATION.replace("pictures = 2", "pictures = 2\n fine-tune { batch-size = 1 }")))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining(at).hasMessageContaining("suite.evaluation.segmentation.fine-tune.batch-size");
    assertThatThrownBy(() -> load("type = tiny-conv",
        SEGMENTATION.replace("pictures = 2", "pictures = 2\n fine-tune { epoch = 3 }")))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("fine-tune.epoch")
        .hasMessageContaining("did you mean 'epochs'");
  }
}
