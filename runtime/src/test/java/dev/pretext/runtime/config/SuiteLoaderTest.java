package dev.pretext.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.FakePlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteLoaderTest {

  @TempDir Path dir;

  private final SuiteLoader loader = new SuiteLoader(FakePlugins.registry());

  private Path suite(String body) throws IOException {
    Path file = dir.resolve("my-suite.conf");
    Files.writeString(file, body);
    return file;
  }

  private static final String GOOD = """
      suite {
        name = demo
        encoder { type = tiny }
        training { epochs = 2 }
        methods = [ { type = brightness } ]
      }
      """;

  @Test
  void aValidSuiteLoadsWithDefaultsFilledIn() throws IOException {
    Suite s = loader.load(suite(GOOD), List.of());
    assertThat(s.name()).isEqualTo("demo");
    assertThat(s.training().epochs()).isEqualTo(2);
    assertThat(s.training().batchSize()).isEqualTo(256);
    assertThat(s.methods()).extracting(Suite.MethodSpec::name).containsExactly("brightness");
    assertThat(s.baselines()).containsExactly("raw-pixels", "random-init");
    assertThat(s.resolved().getInt("suite.evaluation.linear-probe.epochs")).isEqualTo(100);
    assertThat(s.evaluation().linearProbe().selects()).isTrue();
  }

  @Test
  void misspelledKeyNamesFileLineKeyAndSuggestion() throws IOException {
    Path file = suite("""
        suite {
          name = demo
          encoder { type = tiny }
          trainig { epochs = 2 }
          methods = [ brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("my-suite.conf:4")
        .hasMessageContaining("suite.trainig")
        .hasMessageContaining("did you mean 'training'?");
  }

  @Test
  void aValueOfTheWrongTypeIsReportedOnce() throws IOException {
    Path file = suite("""
        suite {
          name = demo
          encoder { type = tiny }
          training { epochs = "abc" }
          methods = [ { type = brightness, training { batch-size = "big" } } ]
          data { train-limit = "many" }
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of("suite.evaluation.knn.k=ten")))
        .isInstanceOfSatisfying(SuiteConfigException.class, e -> assertThat(e.problems())
            .extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "my-suite.conf:4: suite.training.epochs: expected a number, got string 'abc'",
                "my-suite.conf:5: suite.methods[0].training.batch-size: expected a number, got string 'big'",
                "my-suite.conf:6: suite.data.train-limit: expected a number, got string 'many'",
                "--set suite.evaluation.knn.k=ten: 1: suite.evaluation.knn.k: expected a number, got string 'ten'"));
  }

  @Test
  void everyProblemIsReportedTogether() throws IOException {
    Path file = suite("""
        suite {
          name = demo
          encoder { type = tiny, widht = 3 }
          training { epochs = "many", batch-size = 1 }
          methods = [ { type = brightnes }, { type = brightness, sclae = 2 } ]
          baselines = [raw-pixel]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOfSatisfying(SuiteConfigException.class, e -> {
          assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(5);
          assertThat(e.getMessage())
              .contains("suite.training.epochs: expected a number, got string 'many'")
              .contains("did you mean 'width'?")
              .contains("unknown task 'brightnes'; did you mean 'brightness'?")
              .contains("did you mean 'scale'?")
              .contains("unknown baseline 'raw-pixel'; did you mean 'raw-pixels'?");
        });
  }

  @Test
  void outOfRangeValuesAreRejectedWithTheirLocation() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          training {
            batch-size = 1
          }
          methods = [ { type = brightness, scale = -1 } ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("my-suite.conf:4")
        .hasMessageContaining("batch-size")
        .hasMessageContaining("must be > 0, got -1.0");
  }

  @Test
  void fineTuneIsOffByDefaultAndABadFractionIsNamed() throws IOException {
    assertThat(loader.load(suite(GOOD), List.of()).evaluation().fineTune().enabled()).isFalse();
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness } ]
          evaluation.fine-tune.fractions = [0.1, 1.5]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("my-suite.conf:4")
        .hasMessageContaining("fine-tune.fractions")
        .hasMessageContaining("got 1.5");
  }

  @Test
  void fineTuneHeadIsRandomByDefaultAndAnUnknownOneIsNamed() throws IOException {
    assertThat(loader.load(suite(GOOD), List.of()).evaluation().fineTune().head())
        .isEqualTo(Suite.FineTuneSettings.Head.RANDOM);
    Path file = suite(GOOD);
    assertThat(loader.load(file, List.of("suite.evaluation.fine-tune.head=probe")).evaluation().fineTune().head())
        .isEqualTo(Suite.FineTuneSettings.Head.PROBE);
    assertThatThrownBy(() -> loader.load(file, List.of("suite.evaluation.fine-tune.head=linear")))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("fine-tune.head")
        .hasMessageContaining("random or probe, got 'linear'");
  }

  @Test
  void theProbeChoosesOnValidationByDefaultAndABadL2CandidateIsNamed() throws IOException {
    Path file = suite(GOOD);
    Suite.ProbeSettings probe = loader.load(file, List.of()).evaluation().linearProbe();
    assertThat(probe.selects()).isTrue();
    assertThat(probe.l2()).isEqualTo(1e-4);
    assertThat(probe.l2Candidates()).containsExactly(1e-4, 1e-3, 1e-2, 1e-1);
    assertThat(probe.minValidationImages()).isEqualTo(1000);
    assertThatThrownBy(() -> loader.load(file, List.of("suite.evaluation.linear-probe.l2-candidates=[0.001, -1]")))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("l2-candidates")
        .hasMessageContaining("got -1.0");
  }

  @Test
  void scheduleIsConstantByDefaultAndAMethodMayChooseCosine() throws IOException {
    Suite s = loader.load(suite("""
        suite {
          encoder { type = tiny }
          methods = [ brightness, { type = brightness, name = annealed,
                                    training { schedule = cosine, warmup-epochs = 0.5 } } ]
        }
        """), List.of());
    assertThat(s.methods().get(0).training().schedule()).isEqualTo(Suite.Schedule.CONSTANT);
    assertThat(s.methods().get(1).training().schedule()).isEqualTo(Suite.Schedule.COSINE);
    assertThat(s.methods().get(1).training().warmupEpochs()).isEqualTo(0.5);
    Path file = suite("""
        suite {
          encoder { type = tiny }
          training.schedule = cosin
          methods = [ brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("my-suite.conf:3")
        .hasMessageContaining("schedule")
        .hasMessageContaining("did you mean 'cosine'?");
  }

  @Test
  void unknownMethodListsTheKnownOnes() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = rotation } ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("unknown task 'rotation'")
        .hasMessageContaining("Known tasks: brightness");
  }

  @Test
  void aMethodMayNotTakeABaselinesNameNorAnotherMethods() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness, name = supervised }, brightness, brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("suite.methods[0]").hasMessageContaining("'supervised' is a baseline's")
        .hasMessageContaining("suite.methods[2]").hasMessageContaining("'brightness' is used twice");
  }

  @Test
  void aSuiteNamedWithoutAFolderStillFindsWhatItIncludes() throws IOException {
    // As `pretext run my.conf` from the suite's folder: a path with no parent. The included suite
    // sits in a subfolder, as a user's suite including benchmarks-suite/suites/standard.conf does.
    Path cwd = Path.of("").toAbsolutePath();
    Path folder = Files.createTempDirectory(cwd, "suite-loader-test");
    Path file = cwd.relativize(folder).resolveSibling(folder.getFileName() + ".conf");
    try {
      Files.writeString(folder.resolve("base.conf"), GOOD);
      Files.writeString(file, "include \"" + folder.getFileName() + "/base.conf\"\nsuite.training.epochs = 3\n");
      assertThat(file.getParent()).isNull();
      Suite s = loader.load(file, List.of());
      assertThat(s.name()).isEqualTo("demo");
      assertThat(s.methods()).extracting(Suite.MethodSpec::name).containsExactly("brightness");
      assertThat(s.training().epochs()).isEqualTo(3);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(folder.resolve("base.conf"));
      Files.deleteIfExists(folder);
    }
  }

  @Test
  void setOverridesTheFileAndIsValidatedToo() throws IOException {
    Path file = suite(GOOD);
    Suite s = loader.load(file, List.of("suite.training.epochs=7", "suite.seeds=[4,5]"));
    assertThat(s.training().epochs()).isEqualTo(7);
    assertThat(s.seeds()).containsExactly(4L, 5L);
    assertThatThrownBy(() -> loader.load(file, List.of("suite.training.epoch=7")))
        .hasMessageContaining("--set suite.training.epoch=7")
        .hasMessageContaining("did you mean 'epochs'?");
  }

  @Test
  void threadsIsAutoByDefaultAndABadValueNamesTheKey() throws IOException {
    Path file = suite(GOOD);
    assertThat(loader.load(file, List.of()).threads()).isEqualTo("auto");
    assertThat(loader.load(file, List.of("suite.threads=1")).threads()).isEqualTo("1");
    assertThatThrownBy(() -> loader.load(file, List.of("suite.threads=0")))
        .hasMessageContaining("suite.threads")
        .hasMessageContaining("'auto' or a thread count of at least 1, got '0'");
  }

  @Test
  void methodTrainingOverridesAreValidatedAndApplied() throws IOException {
    Path file = suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness, name = fast, training { epochs = 9 } },
                      { type = brightness, name = slow, training { epoks = 1 } } ]
        }
        """);
    assertThatThrownBy(() -> loader.load(file, List.of()))
        .hasMessageContaining("suite.methods[1].training.epoks")
        .hasMessageContaining("did you mean 'epochs'?");
    Suite s = loader.load(suite("""
        suite {
          encoder { type = tiny }
          methods = [ { type = brightness, name = fast, training { epochs = 9 } }, brightness ]
        }
        """), List.of());
    assertThat(s.methods().get(0).training().epochs()).isEqualTo(9);
    assertThat(s.methods().get(1).training().epochs()).isEqualTo(5);
  }

  @Test
  void missingFileAndSyntaxErrorsAreReported() throws IOException {
    assertThatThrownBy(() -> loader.load(dir.resolve("nope.conf"), List.of()))
        .hasMessageContaining("nope.conf").hasMessageContaining("not found");
    assertThatThrownBy(() -> loader.load(suite("suite { name = "), List.of()))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("my-suite.conf");
  }
}
