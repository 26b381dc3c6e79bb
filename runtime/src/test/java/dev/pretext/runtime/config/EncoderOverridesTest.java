package dev.pretext.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.pretext.runtime.FakePlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A method's own {@code encoder { … }} and baselines written as objects with their own encoder. */
class EncoderOverridesTest {

  @TempDir Path dir;

  private final SuiteLoader loader = new SuiteLoader(FakePlugins.registry());

  private Path suite(String body) throws IOException {
    Path file = dir.resolve("my-suite.conf");
    Files.writeString(file, body);
    return file;
  }

  @Test
  void aMethodsEncoderReplacesTheSuitesAndBaselinesMayBeObjectsWithTheirOwn() throws IOException {
    Suite s = loader.load(suite("""
        suite {
          encoder { type = tiny, width = 8 }
          methods = [
            brightness
            { type = brightness, name = conv, encoder { type = tiny-conv, width = 4 } }
            { type = brightness, name = same-type, encoder { type = tiny } }
          ]
          baselines = [raw-pixels, random-init,
            { type = random-init, name = random-init-conv, encoder { type = tiny-conv, width = 4 } }
            { type = supervised, name = supervised-suite-encoder } ]
        }
        """), List.of());
    Suite.MethodSpec plain = s.methods().get(0);
    Suite.MethodSpec conv = s.methods().get(1);
    assertThat(plain.encoder()).isNull();
    assertThat(s.encoderOf(plain)).isSameAs(s.encoder());
    assertThat(s.encoderOf(conv).type()).isEqualTo("tiny-conv");
    assertThat(s.encoderOf(conv).path()).isEqualTo("suite.methods[1].encoder");
    assertThat(conv.task().settings().hasPath("encoder")).as("not a task setting").isFalse();
    assertThat(s.encoderOf(conv).describe()).isEqualTo("tiny-conv width=4");
    assertThat(s.encoder().describe()).isEqualTo("tiny width=8");

    assertThat(s.baselines()).containsExactly("raw-pixels", "random-init", "random-init-conv",
        "supervised-suite-encoder");
    Suite.BaselineSpec own = s.baselineSpecs().get(2);
    assertThat(own.type()).isEqualTo("random-init");
    assertThat(s.encoderOf(own).describe()).isEqualTo("tiny-conv width=4");
    assertThat(s.encoderOf(s.baselineSpecs().get(3))).isSameAs(s.encoder());
    assertThat(s.encoderOf(s.baselineSpecs().get(0))).as("raw pixels has none").isNull();

    // The own encoders' settings over their type's defaults, not over the suite encoder's: a
    // method naming the suite's type without `width` gets the type's default width, not 8.
    Config effective = EffectiveSettings.of(s, FakePlugins.registry());
    assertThat(effective.getInt("encoder.width")).isEqualTo(8);
    assertThat(effective.getString("encoders.conv.type")).isEqualTo("tiny-conv");
    assertThat(effective.getInt("encoders.conv.width")).isEqualTo(4);
    assertThat(effective.getInt("encoders.same-type.width")).isEqualTo(16);
    assertThat(effective.getInt("encoders.random-init-conv.width")).isEqualTo(4);
    assertThat(effective.hasPath("encoders.brightness")).isFalse();
    assertThat(effective.hasPath("encoders.supervised-suite-encoder")).isFalse();
  }

  @Test
  void aSuiteWithoutOwnEncodersRecordsNoEncodersBlock() throws IOException {
    Suite s = loader.load(suite("""
        suite {
          encoder { type = tiny }
          methods = [ brightness ]
          baselines = [raw-pixels, supervised]
        }
        """), List.of());
    assertThat(EffectiveSettings.of(s, FakePlugins.registry()).hasPath("encoders")).isFalse();
    assertThat(s.baselineSpecs()).extracting(Suite.BaselineSpec::type).containsExactly("raw-pixels", "supervised");
  }

  @Test
  void aMethodsBadEncoderIsNamedByItsFullKey() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [
            brightness
            { type = brightness, name = b, encoder { type = tiny-cnv } }
            { type = brightness, name = c, encoder { type = tiny, widht = 4 } }
            { type = brightness, name = d, encoder { type = tiny, width = "wide" } }
            { type = brightness, name = e, encoder = tiny }
            { type = brightness, name = f, encoder { width = 4 } }
          ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOfSatisfying(SuiteConfigException.class, e -> assertThat(e.problems())
            .extracting(ConfigProblem::toString).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).startsWith("my-suite.conf:5: suite.methods[1].encoder.type: unknown encoder"
                    + " 'tiny-cnv'; did you mean 'tiny-conv'?"),
                p -> assertThat(p).startsWith("my-suite.conf:6: suite.methods[2].encoder.widht: unknown key"
                    + " 'widht'; did you mean 'width'?"),
                p -> assertThat(p).isEqualTo("my-suite.conf:7: suite.methods[3].encoder.width: expected a number,"
                    + " got string 'wide'"),
                p -> assertThat(p).startsWith("my-suite.conf:8: suite.methods[4].encoder: expected an object"
                    + " { type = <encoder>, … }"),
                p -> assertThat(p).startsWith("my-suite.conf:9: suite.methods[5].encoder: lacks 'type'")));
  }

  @Test
  void badBaselinesAreNamedByTheirKey() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness, name = taken } ]
          baselines = [
            raw-pixels
            { type = random-init, encoder { type = tiny } }
            { type = raw-pixels, name = pixels, encoder { type = tiny } }
            { type = random-init, name = taken }
            { type = supervised, name = w4, encoder { type = tiny, width = 4 } }
            { type = random-init, name = w4, encoder { type = tiny, width = 4 } }
            { type = random-innit, name = x }
            { type = supervised, name = y, encodr { type = tiny } }
            { type = supervised, name = supervised, encoder { type = tiny } }
            { type = random-init, name = z, encoder { type = resnet20 } }
            raw-pixels
          ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOfSatisfying(SuiteConfigException.class, e -> assertThat(e.problems())
            .extracting(ConfigProblem::toString).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).startsWith("my-suite.conf:6: suite.baselines[1]: lacks 'name'")
                    .contains("name = \"random-init-tiny\""),
                p -> assertThat(p).startsWith("my-suite.conf:7: suite.baselines[2].encoder: raw-pixels probes"
                    + " the images themselves and takes no encoder"),
                p -> assertThat(p).isEqualTo("my-suite.conf:3: suite.methods[0]: method name 'taken' is a"
                    + " baseline's; give the method a distinct 'name'"),
                p -> assertThat(p).isEqualTo("my-suite.conf:10: suite.baselines[5]: baseline name 'w4' is used"
                    + " twice; each baseline needs a distinct name"),
                p -> assertThat(p).startsWith("my-suite.conf:11: suite.baselines[6].type: unknown baseline"
                    + " 'random-innit'; did you mean 'random-init'?"),
                p -> assertThat(p).isEqualTo("my-suite.conf:12: suite.baselines[7].encodr: unknown key 'encodr';"
                    + " did you mean 'encoder'?"),
                p -> assertThat(p).startsWith("my-suite.conf:13: suite.baselines[8].name: 'supervised' is the"
                    + " name of the baseline written as a name"),
                p -> assertThat(p).startsWith("my-suite.conf:14: suite.baselines[9].encoder.type: unknown encoder"
                    + " 'resnet20'").contains("Known encoders: "),
                p -> assertThat(p).isEqualTo("my-suite.conf:15: suite.baselines[10]: baseline name 'raw-pixels'"
                    + " is used twice; each baseline needs a distinct name")));
  }
}
