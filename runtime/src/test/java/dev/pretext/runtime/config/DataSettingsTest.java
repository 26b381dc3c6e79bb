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

/** The data blocks of a suite: suite.data, suite.pretraining-data and a method's own. */
class DataSettingsTest {

  @TempDir Path dir;

  private final SuiteLoader loader = new SuiteLoader(FakePlugins.registry());

  private Suite load(String data) throws IOException {
    Path file = dir.resolve("data-suite.conf");
    Files.writeString(file, """
        suite {
          name = demo
          encoder { type = tiny }
        %s
          methods = [ { type = brightness }, { type = brightness, name = own, pretraining-data { channels = 1 } },
                      { type = brightness, name = plain, pretraining-data = null } ]
        }
        """.formatted(data));
    return loader.load(file, List.of());
  }

  @Test
  void withoutPretrainingDataMethodsUseSuiteData() throws IOException {
    Path file = dir.resolve("plain.conf");
    Files.writeString(file, """
        suite { name = demo, encoder { type = tiny }, methods = [ brightness ] }
        """);
    Suite suite = loader.load(file, List.of());

    assertThat(suite.pretrainingData()).isNull();
    assertThat(suite.methods().get(0).pretrainingData()).isNull();
    assertThat(suite.data().shape()).hasToString("1x28x28");
    assertThat(suite.data().block()).isEqualTo("suite.data");
  }

  @Test
  void suiteBlockAppliesToMethodsAndAMethodOverridesItOrOptsOut() throws IOException {
    Suite suite = load("""
          pretraining-data { path = "/photos", patch-size = 28, patches = 500, held-out = 50 }
        """);

    Suite.DataSettings shared = suite.pretrainingData();
    assertThat(shared.dataset()).isEqualTo("image-folder");
    assertThat(shared.shape()).hasToString("3x28x28");
    assertThat(shared.patches()).isEqualTo(500);
    assertThat(suite.methods().get(0).pretrainingData()).isSameAs(shared);
    Suite.DataSettings own = suite.methods().get(1).pretrainingData();
    assertThat(own.block()).isEqualTo("suite.methods[1].pretraining-data");
    assertThat(own.path()).isEqualTo("/photos");
    assertThat(own.patches()).isEqualTo(500);
    assertThat(own.shape()).hasToString("1x28x28");
    assertThat(suite.methods().get(2).pretrainingData()).isNull();
  }

  @Test
  void cifarHasItsShapeAndRejectsFashionMnistOnlyKeys() throws IOException {
    Path file = dir.resolve("cifar.conf");
    Files.writeString(file, """
        suite {
          name = demo
          encoder { type = tiny }
          data { dataset = cifar10, source = full }
          methods = [ brightness ]
        }
        """);

    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("cifar.conf:4")
        .hasMessageContaining("suite.data.source")
        .hasMessageContaining("applies only to dataset = fashion-mnist");
  }

  @Test
  void errorsNameTheKeyTheFileLineAndTheFix() throws IOException {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, """
        suite {
          name = demo
          encoder { type = tiny }
          data { dataset = cifar-10 }
          pretraining-data { path = "/photos", pach-size = 28 }
          methods = [ { type = brightness, pretraining-data { channels = 2 } } ]
        }
        """);

    assertThatThrownBy(() -> loader.load(file, List.of()))
        .isInstanceOfSatisfying(SuiteConfigException.class, e -> assertThat(e.getMessage())
            .contains("bad.conf:4")
            .contains("suite.data.dataset")
            .contains("did you mean 'cifar10'?")
            .contains("bad.conf:5")
            .contains("suite.pretraining-data.pach-size: unknown key 'pach-size'; did you mean"
                + " 'patch-size'?")
            .contains("bad.conf:6")
            .contains("suite.methods[0].pretraining-data.channels")
            .contains("must be 0 (the dataset's own), 1 (luma) or 3 (RGB)"));
  }

  @Test
  void unlabeledFolderCannotBeTheEvaluationData() throws IOException {
    Path file = dir.resolve("unlabeled.conf");
    Files.writeString(file, """
        suite {
          name = demo
          encoder { type = tiny }
          data { dataset = image-folder, path = "/x", labels = none }
          methods = [ brightness ]
        }
        """);

    assertThatThrownBy(() -> loader.load(file, List.of()))
        .hasMessageContaining("suite.data.labels")
        .hasMessageContaining("the protocols need labels");
  }

  @Test
  void imageFolderNeedsAPathAndPatchesNeedAnImageFolder() throws IOException {
    Path noPath = dir.resolve("nopath.conf");
    Files.writeString(noPath, """
        suite {
          name = demo
          encoder { type = tiny }
          pretraining-data { patch-size = 28 }
          methods = [ brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(noPath, List.of()))
        .hasMessageContaining("suite.pretraining-data.path")
        .hasMessageContaining("needs path = <folder");

    Path cifarPatches = dir.resolve("cifarpatches.conf");
    Files.writeString(cifarPatches, """
        suite {
          name = demo
          encoder { type = tiny }
          pretraining-data { dataset = cifar10, patch-size = 28, train-limit = 5 }
          methods = [ brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(cifarPatches, List.of()))
        .hasMessageContaining("suite.pretraining-data.patch-size")
        .hasMessageContaining("patches are cut from an image folder only");

    Path limitWithPatches = dir.resolve("limit.conf");
    Files.writeString(limitWithPatches, """
        suite {
          name = demo
          encoder { type = tiny }
          pretraining-data { path = "/p", patch-size = 28, train-limit = 5 }
          methods = [ brightness ]
        }
        """);
    assertThatThrownBy(() -> loader.load(limitWithPatches, List.of()))
        .hasMessageContaining("suite.pretraining-data.train-limit")
        .hasMessageContaining("does not apply when patch-size > 0");
  }
}
