package dev.pretext.spark;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.pretext.runtime.ClusterRunner;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.WorkUnit;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.training.Checkpoints;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    List<WorkUnit> units = run.runner().plan(run.suite(), run.folder(), run.onlyMethods(), run.resume());
    List<String> failed = new ArrayList<>();
    if (!units.isEmpty()) {
      execute(run, requests(run, units), failed);
    }
    if (!failed.isEmpty()) {
      log.println("!! not run on the cluster (--resume runs them again): " + String.join(", ", failed));
    }
    return new SuiteRunner.Outcome(run.folder(), ResultsWriter.readEntries(run.folder()), failed);
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

  private void execute(Run run, List<UnitRequest> units, List<String> failed) throws IOException {
    SparkConf conf = SparkSettings.of(run.master(), run.suite());
    log.printf("Spark: %s, %d units (%s)%n", run.master(), units.size(), SparkSettings.describe(conf));
    Path scratch = Files.createTempDirectory("pretext-spark-");
    boolean local = run.master().startsWith("local");
    if (local) {
      // Tasks are threads of this JVM: they use this process's plugins and runner.
      Node.share(run.pluginsFolder(), run.plugins(), run.runner());
    }
    ExecutorService waiting = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "pretext-spark-unit");
      t.setDaemon(true);
      return t;
    });
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      if (!local) {
        Path zip = PluginsArchive.of(run.pluginsFolder(), scratch.resolve("plugins.zip"));
        spark.sc().addArchive(zip.toUri() + "#" + UnitTask.PLUGINS_ARCHIVE);
      }
      List<Future<?>> done = new ArrayList<>();
      for (UnitRequest unit : units) {
        spark.setJobDescription(unit.unit().describe());
        JavaFutureAction<List<UnitResult>> job =
            spark.parallelize(List.of(unit), 1).map(new UnitTask()).collectAsync();
        done.add(waiting.submit(() -> {
          try {
            record(run, job.get().get(0));
          } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            log.printf("!! %s failed on the cluster: %s%n", unit.unit().describe(), cause.getMessage());
            synchronized (failed) {
              failed.add(unit.unit().describe());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the cluster", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
      }
    } finally {
      waiting.shutdownNow();
      if (local) {
        Node.unshare(run.pluginsFolder());
      }
      Checkpoints.deleteRecursively(scratch);
    }
  }

  /** Writes the unit's files into the run folder, then records its entry there. */
  private void record(Run run, UnitResult result) throws IOException {
    ResultEntry entry = EntryJson.read(result.entryJson());
    EntryFiles.write(run.folder(), result.files());
    run.runner().record(run.suite(), run.folder(), entry);
    log.printf(Locale.ROOT, "== %s (seed %d) %s on %s in %.0f s%n", entry.name(), entry.seed(),
        entry.ok() ? "finished" : "failed: " + entry.reason(), result.host(), result.seconds());
  }

  static String classPathOf(Class<?> type) {
    return new File(type.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
  }
}
