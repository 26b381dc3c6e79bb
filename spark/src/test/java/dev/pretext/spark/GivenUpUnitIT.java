package dev.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.ClusterRunner;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.WorkUnit;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginLoader;
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
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaFutureAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unit Spark gives up on (its task failed spark.task.maxFailures times: a lost executor each
 * time, say) is recorded as a failed entry naming what Spark said, and {@code --resume} plans it
 * again. Without a cluster: the job's future fails as Spark's does.
 */
class GivenUpUnitIT {

  private static final Path DISTRIBUTION = Path.of(System.getProperty("pretext.distribution"));

  @TempDir Path dir;

  @Test
  void aUnitSparkGaveUpOnIsRecordedFailedAndResumePlansItAgain() throws Exception {
    Path suiteFile = Files.writeString(dir.resolve("tiny.conf"), """
        suite {
          name = given-up
          seeds = [1]
          data { train-limit = 200, test-limit = 100 }
          encoder { type = conv4, channels = [4, 8] }
          methods = [ { type = simclr } ]
          baselines = [raw-pixels]
        }
        """);
    PluginRegistry plugins = new PluginRegistry(new PluginLoader(DISTRIBUTION.resolve("plugins")).load());
    Suite suite = new SuiteLoader(plugins).load(suiteFile, List.of());
    SuiteRunner runner = new SuiteRunner(plugins, new TrainingEngine());
    Path folder = Files.createDirectories(dir.resolve("run"));
    List<WorkUnit> units = runner.plan(suite, folder, Set.of(), false);
    WorkUnit simclr = units.stream().filter(u -> u.name().equals("simclr")).findFirst().orElseThrow();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    SparkSuiteRunner spark = new SparkSuiteRunner(new PrintStream(printed, true, StandardCharsets.UTF_8));
    ClusterRunner.Run run = new ClusterRunner.Run(runner, plugins, DISTRIBUTION.resolve("plugins"), suiteFile,
        List.of(), suite, folder, Set.of(), false, false, "spark://cluster:7077");

    spark.finish(run, new UnitRequest("tiny.conf", "", new java.util.ArrayList<>(), simclr, ""), new GivenUp());

    ResultEntry failed = ResultsWriter.readEntries(folder).stream().filter(e -> e.name().equals("simclr"))
        .findFirst().orElseThrow();
    assertThat(failed.ok()).isFalse();
    assertThat(failed.kind()).isEqualTo("method");
    assertThat(failed.type()).isEqualTo("simclr");
    assertThat(failed.seed()).isEqualTo(1);
    assertThat(failed.reason()).isEqualTo("not run on the cluster: Job aborted due to stage failure: Task 0 in"
        + " stage 3.0 failed 4 times, most recent failure: ExecutorLostFailure (executor 1 exited)");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("!! simclr").contains("not run on the cluster");
    assertThat(runner.plan(suite, folder, Set.of(), true)).as("--resume plans the given-up unit again")
        .contains(simclr);
  }

  /** A job's future as Spark leaves it when it aborted the job: get() throws. */
  private static final class GivenUp implements JavaFutureAction<List<UnitResult>> {
    @Override
    public List<Integer> jobIds() {
      return List.of(3);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public List<UnitResult> get() throws ExecutionException {
      throw new ExecutionException(new SparkException("Job aborted due to stage failure: Task 0 in stage 3.0"
          + " failed 4 times, most recent failure: ExecutorLostFailure (executor 1 exited)\nDriver stacktrace:"));
    }

    @Override
    public List<UnitResult> get(long timeout, TimeUnit unit) throws ExecutionException {
      return get();
    }
  }
}
