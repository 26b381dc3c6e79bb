package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.config.EffectiveSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.report.ResultEntry;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One suite comparing encoders: a method on the suite's encoder beside one with its own, and
 * baselines with their own encoder, each trained, evaluated (segmentation included), kept,
 * exported and measured again with the encoder it names.
 */
class SuiteRunnerEncodersTest {

  @TempDir Path dir;

  private static final String SUITE = """
      suite {
        name = encoders
        data { train-limit = 200, test-limit = 60 }
        encoder { type = tiny-conv, width = 8 }
        training { epochs = 1, batch-size = 50, learning-rate = 0.01 }
        methods = [
          { type = brightness, name = suite-encoder }
          { type = brightness, name = narrow, encoder { type = tiny-conv, width = NARROW } }
        ]
        baselines = [raw-pixels,
          { type = random-init, name = random-init-narrow, encoder { type = tiny-conv, width = 4 } }
          { type = supervised, name = supervised-narrow, encoder { type = tiny-conv, width = 4 } } ]
        evaluation { calibration-batches = 1, label-fractions = [], knn.enabled = false,
          linear-probe { validation-fraction = 0, l2 = L2 }
          fine-tune { fractions = [0.5], epochs = 1, min-steps = 2, batch-size = 50 }
          segmentation {
            enabled = true
            data { train-scenes = 30, test-scenes = 10, canvas-size = 32, min-scale = 0.5, max-scale = 0.75 }
            pixels-per-scene = 16
            pictures = 1
          }
        }
      }
      """;

  private Suite load(String name, String narrow, String l2) throws Exception {
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, SUITE.replace("NARROW", narrow).replace("L2", l2));
    return new SuiteLoader(FakePlugins.registry()).load(file, List.of());
  }

  @Test
  void eachEntryTrainsKeepsExportsAndIsMeasuredAgainWithItsOwnEncoder() throws Exception {
    var registry = FakePlugins.registry();
    Suite suite = load("first", "4", "0.01");
    Path out = dir.resolve("out");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream printed = new PrintStream(log, true, StandardCharsets.UTF_8);
    Map<String, ResultEntry> byName = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(suite, out, Set.of(), false));

    assertThat(byName.keySet()).containsExactlyInAnyOrder("raw-pixels", "random-init-narrow",
        "supervised-narrow", "suite-encoder", "narrow");
    for (ResultEntry e : byName.values()) {
      assertThat(e.ok()).as(e.name() + ": " + e.reason() + "\n" + log).isTrue();
      if (!e.name().equals("raw-pixels")) {
        // The segmentation probe reads the feature maps of the entry's own encoder, trained weights copied in.
        assertThat(e.segmentation()).as(e.name() + "\n" + log).isNotNull();
      }
    }
    assertThat(byName.get("suite-encoder").encoder()).isEqualTo("tiny-conv width=8");
    assertThat(byName.get("narrow").encoder()).isEqualTo("tiny-conv width=4");
    assertThat(byName.get("random-init-narrow").encoder()).isEqualTo("tiny-conv width=4");
    assertThat(byName.get("random-init-narrow").type()).isEqualTo("random-init");
    assertThat(byName.get("random-init-narrow").kind()).isEqualTo("baseline");
    assertThat(byName.get("supervised-narrow").type()).isEqualTo("supervised");
    assertThat(byName.get("raw-pixels").encoder()).isNull();
    assertThat(byName.get("narrow").metrics()).containsKey("fine_tune_50pct");
    assertThat(byName.get("random-init-narrow").metrics()).containsKey("fine_tune_50pct");
    assertThat(Files.readString(out.resolve("results.md")))
        .contains("| name | kind | encoder | seeds ok |")
        .contains("| narrow | method | tiny-conv width=4 | 1/1 |")
        .contains("| random-init-narrow | baseline | tiny-conv width=4 | 1/1 |")
        .contains("| raw-pixels | baseline |  | 1/1 |");
    var json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.path("components").path("encoders").path("narrow").path("width").asInt()).isEqualTo(4);
    assertThat(json.path("components").path("encoder").path("width").asInt()).isEqualTo(8);

    // The kept encoders record the entry's encoder, so exports rebuild its architecture.
    assertThat(new ObjectMapper().readTree(out.resolve("encoders/narrow-seed1.json").toFile())
        .path("encoder_settings").asText()).contains("\"width\":4");
    var images = Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28);
    assertThat(embed(out, "narrow", images)).containsExactly(3, 4);
    assertThat(embed(out, "suite-encoder", images)).containsExactly(3, 8);
    assertThat(embed(out, "supervised-narrow", images)).containsExactly(3, 4);

    // --reevaluate under another probe: the method and the supervised baseline from their kept
    // encoders (4 wide), the untrained one again with its own.
    Suite again = load("again", "4", "0.1");
    Map<String, ResultEntry> now = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(again, out, Set.of(), true, true));
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("supervised-narrow (baseline, seed 1), evaluated again from its kept encoder")
        .contains("narrow (method brightness, seed 1), evaluated again from its kept encoder")
        .contains("random-init-narrow (baseline, seed 1), evaluated again");
    for (String name : List.of("narrow", "supervised-narrow", "random-init-narrow")) {
      assertThat(now.get(name).ok()).as(name).isTrue();
      assertThat(now.get(name).metrics().get("linear_probe").get("l2")).as(name).isEqualTo(0.1);
      assertThat(now.get(name).encoder()).as(name).isEqualTo("tiny-conv width=4");
    }
    assertThat(now.get("narrow").stepLosses()).isEqualTo(byName.get("narrow").stepLosses());

    // A resume that changed a finished entry's own encoder is refused, naming it.
    Suite wider = load("wider", "6", "0.1");
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(out, wider.resolved(),
        EffectiveSettings.of(wider, registry), true))
        .hasMessageContaining("methods[narrow]").hasMessageContaining("components.encoders.narrow.width");
  }

  private static long[] embed(Path out, String name, org.nd4j.linalg.api.ndarray.INDArray images) throws Exception {
    Path zip = EncoderExport.export(out, name, null, out.resolveSibling(name + ".zip"), FakePlugins.registry());
    return PretrainedEncoder.load(zip).embed(images).shape();
  }

  private static Map<String, ResultEntry> byName(SuiteRunner.Outcome outcome) {
    return outcome.entries().stream().collect(Collectors.toMap(ResultEntry::name, e -> e));
  }
}
