package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pretext.runtime.config.SuiteConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeCheckTest {

  @TempDir Path dir;

  private static final String EARLIER = """
      suite {
        seeds = [1]
        training { epochs = 5, batch-size = 256 }
        methods = [ { type = rotation, all-rotations = false } ]
        baselines = [raw-pixels]
      }
      """;

  private static Config suite(String hocon) {
    return ConfigFactory.parseString(hocon).resolve();
  }

  @Test
  void moreSeedsMethodsAndBaselinesMayBeAdded() {
    Config now = suite("""
        suite {
          seeds = [1, 2, 3]
          training { epochs = 5, batch-size = 256 }
          methods = [ { type = rotation, all-rotations = false }, { type = simclr } ]
          baselines = [raw-pixels, random-init]
        }
        """);
    assertThat(ResumeCheck.changedSettings(suite(EARLIER).getConfig("suite"), now.getConfig("suite"),
        Set.of("rotation"))).isEmpty();
  }

  @Test
  void aMethodWithoutResultsOrCheckpointMayBeRetuned() throws Exception {
    Files.writeString(dir.resolve("resolved.conf"), EARLIER);
    Config now = suite("""
        suite {
          seeds = [1]
          training { epochs = 5, batch-size = 256 }
          methods = [ { type = rotation, all-rotations = true } ]
          baselines = [raw-pixels]
        }
        """);
    ResumeCheck.requireSameSettings(dir, now);
    Files.createDirectories(dir.resolve("work").resolve("rotation-seed1").resolve("checkpoint"));
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, now))
        .hasMessageContaining("suite.methods[rotation]");
  }

  @Test
  void reevaluatingAllowsOtherFrozenProtocolSettingsButNotOtherFineTuning() throws Exception {
    Files.writeString(dir.resolve("resolved.conf"), EARLIER);
    Config probe = suite("""
        suite {
          seeds = [1]
          training { epochs = 5, batch-size = 256 }
          methods = [ { type = rotation, all-rotations = false } ]
          baselines = [raw-pixels]
          evaluation { linear-probe.epochs = 150, knn.k = 50 }
        }
        """);
    ResumeCheck.requireSameSettings(dir, probe, null, true);
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, probe, null, false))
        .hasMessageContaining("suite.evaluation.linear-probe.epochs").hasMessageContaining("suite.evaluation.knn.k");
    Config fineTune = suite("""
        suite {
          seeds = [1]
          training { epochs = 5, batch-size = 256 }
          methods = [ { type = rotation, all-rotations = false } ]
          baselines = [raw-pixels]
          evaluation { fine-tune.epochs = 9 }
        }
        """);
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, fineTune, null, true))
        .hasMessageContaining("suite.evaluation.fine-tune.epochs");
  }

  @Test
  void changedSettingsAndChangedMethodsAreNamed() throws Exception {
    Files.writeString(dir.resolve("resolved.conf"), EARLIER);
    Files.createDirectories(dir.resolve("work").resolve("rotation-seed1"));
    Config now = suite("""
        suite {
          seeds = [1]
          training { epochs = 10, batch-size = 256 }
          methods = [ { type = rotation, all-rotations = true } ]
          baselines = [raw-pixels]
        }
        """);
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, now))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("suite.training.epochs")
        .hasMessageContaining("suite.methods[rotation]")
        .hasMessageContaining(dir.resolve("resolved.conf").toString())
        .hasMessageContaining("without --resume");
  }

  @Test
  void aSettingNewerThanTheEarlierRunCountsAsItsDefault() throws Exception {
    Files.writeString(dir.resolve("resolved.conf"), EARLIER);
    Files.createDirectories(dir.resolve("work").resolve("rotation-seed1"));
    Config withDefault = suite(EARLIER.replace("batch-size = 256", "batch-size = 256, schedule = constant"));
    ResumeCheck.requireSameSettings(dir, withDefault);
    Config changed = suite(EARLIER.replace("batch-size = 256", "batch-size = 256, schedule = cosine"));
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, changed))
        .hasMessageContaining("suite.training.schedule");
  }

  @Test
  void aChangedPluginDefaultIsCaughtThroughTheRecordedComponents() throws Exception {
    Files.writeString(dir.resolve("resolved.conf"), EARLIER);
    Files.createDirectories(dir.resolve("work").resolve("rotation-seed1"));
    Files.writeString(dir.resolve("results.json"), """
        {"suite": "s", "entries": [], "components": {
          "encoder": {"type": "conv4", "channels": [32, 64]},
          "methods": {"rotation": {"type": "rotation", "all-rotations": false, "head": {"hidden": 64}}}}}
        """);
    Config same = ConfigFactory.parseString("""
        encoder { type = conv4, channels = [32, 64] }
        methods { rotation { type = rotation, all-rotations = false, head.hidden = 64 } }
        """);
    ResumeCheck.requireSameSettings(dir, suite(EARLIER), same);
    Config newDefault = same.withValue("methods.rotation.head.hidden",
        com.typesafe.config.ConfigValueFactory.fromAnyRef(128));
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(dir, suite(EARLIER), newDefault))
        .hasMessageContaining("components.methods.rotation.head.hidden")
        .hasMessageContaining(dir.resolve("results.json").toString());
    // A method that has not started may change; the encoder counts once any method has.
    assertThat(ResumeCheck.changedComponents(same, newDefault, Set.of())).isEmpty();
  }

  @Test
  void aStartedBaselinesOwnEncoderMayNotChangeButANewBaselineMayBeAdded() {
    Config before = suite("""
        suite {
          baselines = [raw-pixels, { type = random-init, name = narrow, encoder { type = conv4, channels = [16] } }]
        }
        """).getConfig("suite");
    Config wider = suite("""
        suite {
          baselines = [raw-pixels, { type = random-init, name = narrow, encoder { type = conv4, channels = [32] } },
                       { type = supervised, name = other, encoder { type = mlp } }]
        }
        """).getConfig("suite");
    assertThat(ResumeCheck.changedSettings(before, wider, Set.of("raw-pixels", "narrow")))
        .containsExactly("baselines[narrow]");
    assertThat(ResumeCheck.changedSettings(before, wider, Set.of("raw-pixels"))).isEmpty();
    Config components = ConfigFactory.parseString("encoder.type = conv4, encoders.narrow.channels = [16]");
    Config changed = ConfigFactory.parseString("encoder.type = conv4, encoders.narrow.channels = [32]");
    assertThat(ResumeCheck.changedComponents(components, changed, Set.of("narrow")))
        .containsExactly("encoders.narrow.channels");
  }

  @Test
  void aFolderWithoutAnEarlierRunIsAccepted() {
    ResumeCheck.requireSameSettings(dir, suite(EARLIER));
  }

  @Test
  void aResultsFileCutShortStopsResumeWithThePathAndWhatToDo() throws Exception {
    Path json = dir.resolve("results.json");
    Files.writeString(json, "{\"suite\": \"s\", \"entries\": [ {\"name\": \"rot");

    assertThatThrownBy(() -> ResumeCheck.requireReadable(dir))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageStartingWith("--resume into " + dir + " has 1 problem:")
        .hasMessageContaining("1. " + json + ": cannot be read back (not valid results JSON")
        .hasMessageContaining("Move it aside (e.g. to results.json.broken)")
        .hasMessageContaining("run without --resume");
  }

  @Test
  void anUnreadableResolvedConfStopsResumeToo() throws Exception {
    Files.writeString(dir.resolve("results.json"), "{\"entries\": []}");
    Files.writeString(dir.resolve("resolved.conf"), "suite { seeds = [1");

    assertThatThrownBy(() -> ResumeCheck.requireReadable(dir))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining(dir.resolve("resolved.conf") + ": cannot be read back (");
    Files.writeString(dir.resolve("resolved.conf"), "suite { seeds = [1] }");
    ResumeCheck.requireReadable(dir);
    ResumeCheck.requireReadable(dir.resolve("nothing-yet"));
  }
}
