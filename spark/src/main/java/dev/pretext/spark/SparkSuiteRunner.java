package dev.pretext.spark;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.pretext.runtime.ClusterRunner;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.WorkUnit;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.training.Checkpoints;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code pretext run SUITE --spark MASTER}: the driver checks and plans the run as a local run would,
 * submits each unit (an entry of a seed) as its own one-task Spark job, and records each entry and
 * its files in the run folder as its job finishes. Executors run units with the runtime they find at
 * the driver's paths (the add-on's jar and the installation's native libraries) and the plugins the
 * job ships.
 */
public final class SparkSuiteRunner implements ClusterRunner {

  private static final long POLL_MILLIS = 200;

  private final PrintStream log;

  public SparkSuiteRunner() {
    this(System.err);
  }

  SparkSuiteRunner(PrintStream log) {
    this.log = log;
  }

  @Override
  public SuiteRunner.Outcome run(Run run) throws IOException {
    // The run's checks (settings, provenance, data) and files, as a local run makes them, no entry yet.
    run.runner().run(run.suite(), run.folder(),
        new SuiteRunner.RunOptions(run.onlyMethods(), run.resume(), false, run.allowMixedProvenance(), List.of()));
    List<WorkUnit> units = longFirst(run.suite(),
        run.runner().plan(run.suite(), run.folder(), run.onlyMethods(), run.resume()));
    if (!units.isEmpty()) {
      execute(run, requests(run, units));
    } else {
      log.println("Spark: nothing to run, every entry is finished");
    }
    return new SuiteRunner.Outcome(run.folder(), ResultsWriter.readEntries(run.folder()), List.of());
  }

  /**
   * The units in the order Spark starts them: every seed's methods (which pretrain), then the
   * baselines (most only evaluate), each group in plan order — as the runtime orders entries for
   * several workers, so that the last unit to finish is not a long one started late.
   */
  static List<WorkUnit> longFirst(Suite suite, List<WorkUnit> planned) {
    Set<String> baselines = Set.copyOf(suite.baselines());
    List<WorkUnit> ordered = new ArrayList<>(planned.stream().filter(u -> !baselines.contains(u.name())).toList());
    ordered.addAll(planned.stream().filter(u -> baselines.contains(u.name())).toList());
    return ordered;
  }

  /** One task's request per unit: the suite file (includes in place) and the overrides executors load it with. */
  private static List<UnitRequest> requests(Run run, List<WorkUnit> units) {
    String text = ConfigFactory.parseFile(run.suiteFile().toFile()).root().render(
        ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    ArrayList<String> overrides = new ArrayList<>(run.overrides());
    // A task runs one entry; Spark gives it spark.task.cpus cores ("auto" on an executor would look at the
    // whole machine, which other tasks share).
    overrides.add("suite.workers = 1");
    overrides.add("suite.threads = " + SparkSettings.threadsPerTask(run.suite()));
    String plugins = run.pluginsFolder().toAbsolutePath().toString();
    return units.stream().map(u -> new UnitRequest(run.suiteFile().getFileName().toString(), text, overrides, u,
        plugins)).toList();
  }

  private void execute(Run run, List<UnitRequest> units) throws IOException {
    SparkConf conf = SparkSettings.of(run.master(), run.suite());
    log.printf("Spark: %s, %d units (%s)%n", run.master(), units.size(), SparkSettings.describe(conf));
    Path scratch = Files.createTempDirectory("pretext-spark-");
    // local / local[N]: tasks are threads of this JVM, which use this process's plugins and runner
    // (local-cluster starts executors of their own).
    boolean local = run.master().equals("local") || run.master().startsWith("local[");
    if (local) {
      Node.share(run.pluginsFolder(), run.plugins(), run.runner());
    }
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      if (!local) {
        Path zip = PluginsArchive.of(run.pluginsFolder(), scratch.resolve("plugins.zip"));
        spark.sc().addArchive(zip.toUri() + "#" + UnitTask.PLUGINS_ARCHIVE);
      }
      // Every unit is a job of its own, all submitted now: Spark's FIFO scheduler starts them in run
      // order as cores free up, and each entry is recorded as soon as its job ends.
      Map<UnitRequest, JavaFutureAction<List<UnitResult>>> pending = new LinkedHashMap<>();
      for (UnitRequest unit : units) {
        spark.setJobDescription(unit.unit().describe());
        pending.put(unit, spark.parallelize(List.of(unit), 1).map(new UnitTask()).collectAsync());
      }
      while (!pending.isEmpty()) {
        List<UnitRequest> ended = pending.entrySet().stream().filter(e -> e.getValue().isDone())
            .map(Map.Entry::getKey).toList();
        for (UnitRequest unit : ended) {
          finish(run, unit, pending.remove(unit));
        }
        if (ended.isEmpty()) {
          Thread.sleep(POLL_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the cluster", e);
    } finally {
      if (local) {
        Node.unshare(run.pluginsFolder());
      }
      Checkpoints.deleteRecursively(scratch);
    }
  }

  /** Records an ended unit: its entry and files, or a failed entry when Spark gave up on it. */
  void finish(Run run, UnitRequest unit, JavaFutureAction<List<UnitResult>> job)
      throws IOException, InterruptedException {
    try {
      record(run, job.get().get(0));
    } catch (ExecutionException e) {
      // Spark ran it spark.task.maxFailures times: recorded failed, so --resume plans it again.
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String reason = "not run on the cluster: " + firstLine(cause.getMessage());
      log.printf("!! %s %s%n", unit.unit().describe(), reason);
      run.runner().record(run.suite(), run.folder(), failedEntry(run.suite(), unit.unit(), reason));
    }
  }

  /** Writes the unit's files into the run folder, then records its entry there. */
  private void record(Run run, UnitResult result) throws IOException {
    ResultEntry entry = EntryJson.read(result.entryJson());
    UnitFiles.write(run.folder(), result.files());
    run.runner().record(run.suite(), run.folder(), entry);
    log.printf(Locale.ROOT, "== %s (seed %d) %s on %s in %.0f s%n", entry.name(), entry.seed(),
        entry.ok() ? "finished" : "failed: " + entry.reason(), result.host(), result.seconds());
  }

  /** The entry a unit Spark could not run leaves: failed, with what Spark said. */
  static ResultEntry failedEntry(Suite suite, WorkUnit unit, String reason) {
    for (Suite.BaselineSpec b : suite.baselineSpecs()) {
      if (b.name().equals(unit.name())) {
        return ResultEntry.failed(unit.name(), "baseline", b.type(), unit.seed(), reason);
      }
    }
    String type = suite.methods().stream().filter(m -> m.name().equals(unit.name()))
        .map(m -> m.task().type()).findFirst().orElse(null);
    return ResultEntry.failed(unit.name(), "method", type, unit.seed(), reason);
  }

  private static String firstLine(String message) {
    return message == null ? "(no message)" : message.lines().findFirst().orElse("").strip();
  }

  static String classPathOf(Class<?> type) {
    return new File(type.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
  }
}
