package dev.pretext.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.pretext.runtime.FakePlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code suite.sweep}: expansion into named points, and every way a swept key can be wrong. */
class SweepLoaderTest {

  @TempDir Path dir;

  private final SuiteLoader loader = new SuiteLoader(FakePlugins.registry());

  private Path suite(String sweep) throws IOException {
    Path file = dir.resolve("sweep.conf");
    Files.writeString(file, """
        suite {
          name = demo
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 64 }
          methods = [ { type = brightness, name = b, scale = 3 }, brightness ]
          baselines = [raw-pixels]
        SWEEP
        }
        """.replace("SWEEP", sweep));
    return file;
  }

  private String problems(String sweep) throws IOException {
    Path file = suite(sweep);
    try {
      loader.load(file, List.of());
    } catch (SuiteConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("loaded: " + sweep);
  }

  @Test
  void aSweptMethodIsReplacedByTheCartesianProductOfItsKeysNamedAfterTheirValues() throws IOException {
    Suite s = loader.load(suite("""
          sweep { "b.training.batch-size" = [16, 32], "b.scale" = [0.5, 2] }
        """), List.of());
    // Keys in sorted order (b.scale before b.training.batch-size), the first outermost; the
    // unswept method stays as written.
    assertThat(s.methods()).extracting(Suite.MethodSpec::name).containsExactly(
        "b[scale=0.5,batch-size=16]", "b[scale=0.5,batch-size=32]", "b[scale=2,batch-size=16]",
        "b[scale=2,batch-size=32]", "brightness");
    Suite.MethodSpec point = s.methods().get(1);
    assertThat(point.task().settings().getDouble("scale")).isEqualTo(0.5);
    assertThat(point.training().batchSize()).isEqualTo(32);
    // The rest of the budget is the suite's, as for any method with its own training block.
    assertThat(point.training().epochs()).isEqualTo(2);
    // Every point keeps the entry's path: its components draw the same random streams.
    assertThat(point.task().path()).isEqualTo("suite.methods[0]");
    assertThat(point.sweep().method()).isEqualTo("b");
    assertThat(point.sweep().keys()).containsExactly("b.scale", "b.training.batch-size");
    assertThat(point.sweep().values()).containsExactly(Map.entry("scale", "0.5"), Map.entry("batch-size", "32"));
    assertThat(s.methods().get(4).sweep()).isNull();
    assertThat(s.methods().get(4).task().settings().hasPath("scale")).isFalse();
  }

  @Test
  void nestedKeysAnUnnamedMethodByItsTypeAndTheSuitesEncoderAsTheStartOfAnEncoderSweep() throws IOException {
    Suite s = loader.load(suite("""
          sweep { brightness { encoder.width = [4, 6] } }
        """), List.of());
    assertThat(s.methods()).extracting(Suite.MethodSpec::name)
        .containsExactly("b", "brightness[width=4]", "brightness[width=6]");
    assertThat(s.encoderOf(s.methods().get(2)).type()).isEqualTo("tiny");
    assertThat(s.encoderOf(s.methods().get(2)).settings().getInt("width")).isEqualTo(6);
    assertThat(s.encoderOf(s.methods().get(0)).settings().getInt("width")).isEqualTo(8);
  }

  @Test
  void shortNamesTakeMoreOfThePathWhenTwoKeysEndAlike() {
    List<ConfigProblem> problems = new ArrayList<>();
    var sweep = ConfigFactory.parseString("""
        "m.loss.temperature" = [0.1], "m.head.temperature" = [1], "m.training.epochs" = [2], "n.x.temperature" = [3]
        """).root();
    var axes = Sweeps.axes(sweep, List.of("m", "n"), problems);
    assertThat(problems).isEmpty();
    assertThat(axes.get("m")).extracting(Sweeps.Axis::label)
        .containsExactly("head.temperature", "loss.temperature", "epochs");
    assertThat(axes.get("n")).extracting(Sweeps.Axis::label).containsExactly("temperature");
    var points = Sweeps.points("m", ConfigFactory.parseString("type = t"), axes.get("m"), null);
    assertThat(points).extracting(Sweeps.Point::name)
        .containsExactly("m[head.temperature=1,loss.temperature=0.1,epochs=2]");
  }

  @Test
  void anUnknownMethodIsNamedWithItsKeyLineAndASuggestion() throws IOException {
    assertThat(problems("""
          sweep { "bb.scale" = [1, 2] }
        """)).contains("sweep.conf:7").contains("suite.sweep.\"bb.scale\"").contains("unknown method 'bb'")
        .contains("did you mean 'b'?");
  }

  @Test
  void anUnknownKeyInsideTheMethodIsFoundByTheTasksOwnValidation() throws IOException {
    assertThat(problems("""
          sweep { "b.scael" = [1, 2] }
        """)).contains("sweep.conf:7").contains("suite.sweep.\"b.scael\"").contains("unknown key 'scael'")
        .contains("did you mean 'scale'?").doesNotContain("suite.methods[0].scael");
  }

  @Test
  void anUnknownOrOutOfRangeTrainingKeyIsFoundByTrainingsValidation() throws IOException {
    assertThat(problems("""
          sweep { "b.training.bacth-size" = [16] }
        """)).contains("sweep.conf:7").contains("suite.sweep.\"b.training.bacth-size\"")
        .contains("did you mean 'batch-size'?");
    assertThat(problems("""
          sweep {
            "b.training.batch-size" = [16,
              1]
          }
        """)).contains("sweep.conf:9").contains("suite.sweep.\"b.training.batch-size\"").contains("got 1")
        .contains("(value 1)");
  }

  @Test
  void aBadValueOfATaskSettingIsNamedAtTheSweep() throws IOException {
    assertThat(problems("""
          sweep { "b.scale" = [1, -2] }
        """)).contains("sweep.conf:7").contains("-2").contains("scale");
  }

  @Test
  void anEmptyListANonListANameAndADuplicateValueAreRefused() throws IOException {
    assertThat(problems("""
          sweep { "b.scale" = [] }
        """)).contains("sweep.conf:7").contains("suite.sweep.\"b.scale\"").contains("needs at least one value");
    assertThat(problems("""
          sweep { "b.scale" = 2 }
        """)).contains("sweep.conf:7").contains("suite.sweep.\"b.scale\"").contains("expected a list")
        .contains("write [2] for a single value");
    assertThat(problems("""
          sweep { "b.name" = [x, y] }
        """)).contains("suite.sweep.\"b.name\"").contains("'name' cannot be swept");
    assertThat(problems("""
          sweep { "b.scale" = [1, 1] }
        """)).contains("suite.sweep.\"b.scale\"").contains("lists 1 twice");
    assertThat(problems("""
          sweep { b = [1] }
        """)).contains("suite.sweep.\"b\"").contains("no key inside it");
    assertThat(problems("""
          sweep = [1]
        """)).contains("suite.sweep").contains("expected an object");
  }

  @Test
  void everyProblemIsListedOnce() throws IOException {
    Path file = suite("""
          sweep { "bb.scale" = [1], "b.scael" = [1, 2], "b.training.epochs" = [1, 2] }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of())).isInstanceOfSatisfying(SuiteConfigException.class,
        e -> assertThat(e.problems()).extracting(ConfigProblem::path)
            .containsExactly("suite.sweep.\"bb.scale\"", "suite.sweep.\"b.scael\""));
  }

  @Test
  void aPointWhoseFilesWouldBeNamedAsAnotherMethodsIsRefused() throws IOException {
    Path file = dir.resolve("stems.conf");
    Files.writeString(file, """
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness, name = b }, { type = brightness, name = "b_scale-2" } ]
          sweep { "b.scale" = [2] }
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of())).hasMessageContaining("b[scale=2]")
        .hasMessageContaining("filed as 'b_scale-2'");
  }
}
