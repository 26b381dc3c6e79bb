package dev.pretext.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins built outside the reactor by {@code examples/build-and-check} — the SimSiam example and a
 * project generated from the archetype — dropped into a copy of the assembled distribution's
 * plugins/ folder: listed by {@code pretext plugins}, run in a tiny suite next to the baselines.
 * Needs {@code -Dpretext.example.plugins=<folder>}, the folder holding the drop-in folders {@code
 * simsiam/} and {@code flip-plugin/} (examples/target/plugins); skipped without it.
 */
class ExamplePluginIT {

  private static final String PROPERTY = "pretext.example.plugins";

  private static final Path DIST = Path.of(System.getProperty("pretext.distribution", "target/pretext"));

  private static final String TINY_SUITE = """
      suite {
        name = tiny-example
        data { source = embedded, train-limit = 600, test-limit = 200 }
        encoder { type = conv4, channels = [8, 16] }
        training { epochs = 1, batch-size = 32, max-steps = 8 }
        methods = [ simsiam, flip-plugin ]
        evaluation { calibration-batches = 2, label-fractions = [0.1], knn.k = 20,
                     linear-probe { epochs = 20, min-steps = 0, learning-rate = 0.01 } }
      }
      """;

  /** The plugins built outside the reactor; each folder's name is the plugin's and its task's. */
  private static final List<String> EXAMPLES = List.of("simsiam", "flip-plugin");

  private Path examples;

  @TempDir Path dir;

  /** Per test, so that a run without the property reports the test as skipped, with this message. */
  @BeforeEach
  void theExamplePluginIsBuilt() {
    String folder = System.getProperty(PROPERTY);
    Assumptions.assumeTrue(folder != null && !folder.isBlank(),
        "skipped: -D" + PROPERTY + " names no folder; examples/build-and-check builds the example plugin and"
            + " prints it (examples/simsiam/target/plugin)");
    examples = Path.of(folder);
    for (String example : EXAMPLES) {
      assertThat(examples.resolve(example)).as("the drop-in folder of " + example).isDirectory();
    }
    assertThat(DIST.resolve("plugins")).isDirectory();
  }

  /** A home with the distribution's plugins and the examples' folders next to them. */
  private Path homeWithTheExamples() throws IOException {
    Path home = dir.resolve("home");
    DistributionIT.copy(DIST.resolve("plugins"), home.resolve("plugins"));
    for (String example : EXAMPLES) {
      DistributionIT.copy(examples.resolve(example), home.resolve("plugins").resolve(example));
    }
    return home;
  }

  @Test
  void droppedIntoPluginsTheExamplesAreListedAndRunInATinySuite() throws IOException {
    Path home = homeWithTheExamples();

    DistributionIT.Result plugins = DistributionIT.cli(home, "plugins");
    assertThat(plugins.exitCode()).as(plugins.out() + plugins.err()).isZero();
    assertThat(plugins.out()).contains("simsiam 0.1.0  (api 2.0)")
        .contains(home.resolve("plugins/simsiam").toAbsolutePath().normalize().toString())
        .containsPattern("task +simsiam +SimSiam")
        .contains(home.resolve("plugins/flip-plugin").toAbsolutePath().normalize().toString())
        .containsPattern("task +flip-plugin ");

    Path suite = Files.writeString(dir.resolve("tiny-example.conf"), TINY_SUITE);
    Path out = dir.resolve("results");
    DistributionIT.Result run = DistributionIT.cli(home, "run", suite.toString(), "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode entry : json.path("entries")) {
      names.add(entry.path("name").asText());
      assertThat(entry.path("status").asText()).as(entry.path("name").asText()).isEqualTo("ok");
    }
    assertThat(names).containsExactly("raw-pixels", "random-init", "simsiam", "flip-plugin");
    for (int i = 2; i < 4; i++) {
      JsonNode entry = json.path("entries").get(i);
      String name = entry.path("name").asText();
      assertThat(entry.path("kind").asText()).as(name).isEqualTo("method");
      assertThat(entry.path("pretrainingSeconds").asDouble()).as(name).isPositive();
      double top1 = entry.path("metrics").path("linear_probe").path("top1").asDouble(Double.NaN);
      // Ten classes: chance is 0.1.
      assertThat(top1).as("%s's linear-probe top-1", name).isFinite().isBetween(0.1, 1.0);
      assertThat(out.resolve("results.md")).content().contains("| " + name + " | method |");
    }
  }
}
