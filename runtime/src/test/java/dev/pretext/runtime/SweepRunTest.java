package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** A suite with a sweep: every point runs, is filed under a plain stem, resumes and is measured again by name. */
class SweepRunTest {

  @TempDir Path dir;

  private static final String SUITE = """
      suite {
        name = sweep
        data { train-limit = 300, test-limit = 100 }
        encoder { type = tiny, width = 8 }
        training { epochs = 1, batch-size = 50 }
        methods = [ { type = brightness, name = b EXTRA } ]
        baselines = []
        evaluation { calibration-batches = 1, label-fractions = [], knn.k = K,
                     linear-probe { l2-candidates = [0.001, 0.1], min-validation-images = 10 } }
        sweep { "b.scale" = VALUES }
      }
      """;

  private Suite load(String name, String values, String k, String extra) throws Exception {
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, SUITE.replace("VALUES", values).replace("K", k).replace("EXTRA", extra));
    return new SuiteLoader(FakePlugins.registry()).load(file, List.of());
  }

  @Test
  void everyPointRunsIsGroupedWithItsBestOnValidationAndResumesAndIsMeasuredAgainByName() throws Exception {
    var registry = FakePlugins.registry();
    Path out = dir.resolve("out");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream printed = new PrintStream(log, true, StandardCharsets.UTF_8);
    Map<String, ResultEntry> first = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(load("first", "[0.5, 2]", "5", ""), out, Set.of(), false));

    assertThat(first.keySet()).containsExactlyInAnyOrder("b[scale=0.5]", "b[scale=2]");
    for (ResultEntry e : first.values()) {
      assertThat(e.ok()).as(e.name() + ": " + e.reason()).isTrue();
      assertThat(e.sweep().method()).isEqualTo("b");
      // The probe's validation accuracy, which chooses the best point, is recorded per entry.
      assertThat(e.metrics().get("linear_probe")).containsKey("validation_top1");
    }
    assertThat(first.get("b[scale=2]").sweep().values()).containsExactly(Map.entry("scale", "2"));
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md).contains("## Sweep: b (best on validation)")
        .contains("| point | scale | seeds ok | validation top1 |")
        .contains("| b[scale=0.5] | 0.5 | 1/1 |").contains("| b[scale=2] | 2 | 1/1 |");
    assertThat(md.split("\\*\\*best on validation\\*\\*", -1).length - 1).isBetween(1, 2);
    assertThat(Files.readString(out.resolve("report.html"))).contains("<h2>Sweep: b (best on validation)</h2>");
    // Files go by the plain stem, results by the name.
    for (String f : List.of("encoders/b_scale-0.5-seed1.fb", "encoders/b_scale-2-seed1.json",
        "figures/b_scale-2-seed1-pca.png", "figures/b_scale-0.5-seed1-neighbours.png")) {
      assertThat(out.resolve(f)).as(f).isNotEmptyFile();
    }
    assertThat(out.resolve("work")).doesNotExist();

    // --resume with a third value: the finished points stay, only the new one trains.
    Map<String, ResultEntry> resumed = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(load("more", "[0.5, 2, 4]", "5", ""), out, Set.of(), true));
    String said = log.toString(StandardCharsets.UTF_8);
    assertThat(said).containsOnlyOnce("== b[scale=0.5] (method brightness, seed 1)")
        .containsOnlyOnce("== b[scale=2] (method brightness, seed 1)")
        .contains("== b[scale=4] (method brightness, seed 1)");
    assertThat(resumed.keySet()).containsExactlyInAnyOrder("b[scale=0.5]", "b[scale=2]", "b[scale=4]");
    assertThat(resumed.get("b[scale=2]").stepLosses()).isEqualTo(first.get("b[scale=2]").stepLosses());
    assertThat(resumed.get("b[scale=2]").pretrainingSeconds()).isEqualTo(first.get("b[scale=2]").pretrainingSeconds());

    // --reevaluate under another kNN: each point again from its kept encoder, pretraining kept.
    Map<String, ResultEntry> again = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(load("again", "[0.5, 2, 4]", "7", ""), out, Set.of(), true, true));
    said = log.toString(StandardCharsets.UTF_8);
    for (String point : List.of("b[scale=0.5]", "b[scale=2]", "b[scale=4]")) {
      assertThat(said).contains("== " + point + " (method brightness, seed 1), evaluated again from its kept encoder");
      assertThat(again.get(point).ok()).as(point).isTrue();
      assertThat(again.get(point).stepLosses()).as(point).isEqualTo(resumed.get(point).stepLosses());
      assertThat(again.get(point).evaluatedWith()).as(point).isNotEqualTo(resumed.get(point).evaluatedWith());
      assertThat(again.get(point).sweep()).as(point).isEqualTo(resumed.get(point).sweep());
    }

    // The method's own settings changed under finished points: refused, naming the points.
    Suite changed = load("changed", "[0.5, 2, 4]", "7", ", explode-at-step = 1000");
    assertThatThrownBy(() -> ResumeCheck.requireSameSettings(out, changed.resolved(),
        EffectiveSettings.of(changed, registry), false))
        .hasMessageContaining("methods[b[scale=0.5]]").hasMessageContaining("methods[b[scale=4]]")
        .hasMessageContaining("components.methods.\"b[scale=0.5]\".explode-at-step");
  }

  private static Map<String, ResultEntry> byName(SuiteRunner.Outcome outcome) {
    return outcome.entries().stream().collect(Collectors.toMap(ResultEntry::name, e -> e));
  }
}
