package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
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

/**
 * Entries run at once ({@code suite.workers}) measure what they measure one after the other, and a
 * run can be cut into units (what a Spark driver plans, runs elsewhere and records).
 */
class SuiteRunnerWorkersTest {

  private static final String SUITE = """
      suite {
        name = workers
        seeds = [1, 2]
        workers = WORKERS
        data { train-limit = 400, test-limit = 150 }
        encoder { type = tiny, width = 16 }
        training { epochs = 1, batch-size = 50, learning-rate = 0.01 }
        methods = [
          { type = brightness, name = a }
          { type = brightness, name = diverges, explode-at-step = 3 }
          { type = brightness, name = b, training.learning-rate = 0.02 }
        ]
        baselines = [raw-pixels, random-init]
        evaluation { calibration-batches = 1, label-fractions = [0.1], knn.k = 10,
          linear-probe { validation-fraction = 0, l2 = 0.001 }
          fine-tune { fractions = [] } }
      }
      """;

  @TempDir Path dir;

  private final PluginRegistry registry = FakePlugins.registry();

  private Suite suite(String workers) throws Exception {
    Path file = dir.resolve("suite-" + workers + ".conf");
    Files.writeString(file, SUITE.replace("WORKERS", workers));
    return new SuiteLoader(registry).load(file, List.of());
  }

  private static Map<String, ResultEntry> byKey(List<ResultEntry> entries) {
    return entries.stream().collect(Collectors.toMap(e -> e.name() + "/" + e.seed(), e -> e));
  }

  @Test
  void twoEntriesAtOnceMeasureExactlyWhatOneAfterTheOtherDoes() throws Exception {
    Path one = dir.resolve("one");
    Path two = dir.resolve("two");
    SuiteRunner.Outcome parallel;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // One thread per entry, as the demo runs (the tests' environment fixes two): a worker thread
    // starts with the machine's OpenMP count, which must not reach an entry's first step.
    dev.pretext.runtime.training.ComputeThreads.set("1");
    try {
      new SuiteRunner(registry, new TrainingEngine()).run(suite("1"), one, Set.of(), false);
      parallel = new SuiteRunner(registry, new TrainingEngine(),
          new PrintStream(printed, true, StandardCharsets.UTF_8)).run(suite("2"), two, Set.of(), false);
    } finally {
      dev.pretext.runtime.training.ComputeThreads.set(System.getenv().getOrDefault("PRETEXT_THREADS", "auto"));
    }

    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("2 entries at once (suite.workers)");
    Map<String, ResultEntry> sequential = byKey(ResultsWriter.readEntries(one));
    Map<String, ResultEntry> concurrent = byKey(parallel.entries());
    assertThat(concurrent.keySet()).hasSize(10).isEqualTo(sequential.keySet());
    for (String key : sequential.keySet()) {
      ResultEntry s = sequential.get(key);
      ResultEntry c = concurrent.get(key);
      assertThat(c.status()).as(key).isEqualTo(s.status());
      assertThat(c.metrics()).as(key).isEqualTo(s.metrics());
      assertThat(c.epochLosses()).as(key).isEqualTo(s.epochLosses());
    }
    // A method's own failure is still its own: recorded, the others measured.
    assertThat(concurrent.get("diverges/2").ok()).isFalse();
    assertThat(concurrent.get("a/2").metrics().get("linear_probe").get("top1")).isGreaterThan(0.3);
    // The folder holds every entry once, in the suite's order whatever order they finished in.
    assertThat(ResultsWriter.readEntries(two)).extracting(e -> e.name() + "/" + e.seed())
        .containsExactlyElementsOf(ResultsWriter.readEntries(one).stream().map(e -> e.name() + "/" + e.seed()).toList())
        .startsWith("raw-pixels/1", "random-init/1", "a/1");
    assertThat(Files.readString(two.resolve("results.md"))).contains("| b |");
  }

  @Test
  void aRunCutIntoUnitsRecordedElsewhereFillsTheFolderAsOneRunDoes() throws Exception {
    Suite suite = suite("1");
    SuiteRunner runner = new SuiteRunner(registry, new TrainingEngine());
    Path folder = dir.resolve("driver");
    List<WorkUnit> planned = runner.plan(suite, folder, Set.of("a"), false);
    assertThat(planned).containsExactly(new WorkUnit(1, "raw-pixels"), new WorkUnit(1, "random-init"),
        new WorkUnit(1, "a"), new WorkUnit(2, "raw-pixels"), new WorkUnit(2, "random-init"), new WorkUnit(2, "a"));

    // The driver's own run: checks and files, no entry.
    runner.run(suite, folder, new SuiteRunner.RunOptions(Set.of("a"), false, false, false, List.of()));
    assertThat(ResultsWriter.readEntries(folder)).isEmpty();
    assertThat(folder.resolve("resolved.conf")).isNotEmptyFile();

    // A "task": one unit into a folder of its own, recorded by the driver.
    Path task = dir.resolve("task");
    SuiteRunner.Outcome ran = runner.run(suite, task,
        new SuiteRunner.RunOptions(Set.of("a"), false, false, false, List.of(new WorkUnit(2, "a"))));
    assertThat(ran.entries()).extracting(e -> e.name() + "/" + e.seed()).containsExactly("a/2");
    runner.record(suite, folder, ran.entries().get(0));
    assertThat(ResultsWriter.readEntries(folder)).extracting(e -> e.name() + "/" + e.seed()).containsExactly("a/2");
    assertThat(Files.readString(folder.resolve("results.md"))).contains("| a |");

    // Resuming, the plan leaves out what the folder holds.
    assertThat(runner.plan(suite, folder, Set.of("a"), true)).doesNotContain(new WorkUnit(2, "a")).hasSize(5);
    assertThat(runner.plan(suite, folder, Set.of("a"), false)).contains(new WorkUnit(2, "a")).hasSize(6);
  }

  @Test
  void workersBelowOneAreAnErrorNamingTheKey() throws Exception {
    assertThatThrownBy(() -> suite("0")).isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("suite.workers").hasMessageContaining("at least 1");
  }
}
