package dev.pretext.runtime.cli;

import dev.pretext.runtime.ActiveRun;
import dev.pretext.runtime.ClusterRunner;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pretext run SUITE.conf}: validate, pretrain, evaluate, report. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a benchmark suite: pretrain every method, evaluate it and the baselines, write results.")
final class RunCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Parameters(index = "0", paramLabel = "SUITE.conf", description = "The suite (HOCON).")
  Path suiteFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override a suite value, e.g. --set suite.training.epochs=2 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--methods", split = ",", paramLabel = "NAME",
      description = "Run only these methods (comma-separated names; a swept method's name runs all its points).")
  List<String> methods = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Results folder (default: <suite.output>/<suite.name>).")
  Path out;

  @Option(names = "--resume", description = "Keep finished results in the folder and continue unfinished methods from their last checkpoint.")
  boolean resume;

  @Option(names = "--reevaluate", description = "Resume, and measure again every finished entry whose frozen"
      + " protocols (suite.evaluation but fine-tune) ran under other settings: methods from their kept encoders"
      + " (pretraining and fine-tuning numbers kept), baselines from scratch.")
  boolean reevaluate;

  @Option(names = "--allow-mixed-provenance", description = "With --resume: keep going although finished entries"
      + " (or checkpoints) were produced by other plugin jars or data files than this run's; each entry keeps the"
      + " jar and data hashes it was produced with. Without it such a resume is refused, naming them.")
  boolean allowMixedProvenance;

  @Option(names = "--spark", paramLabel = "MASTER", description = "Run every entry (method, baseline, sweep point"
      + " of each seed) as a task on Apache Spark: local[N], spark://HOST:7077, yarn, k8s://... The results folder"
      + " is filled on this machine as entries finish. Needs the Spark runner add-on (README, \"On a Spark cluster\").")
  String spark;

  @Override
  public Integer call() throws Exception {
    return runSuite(parent, suiteFile, overrides, methods, out, resume, reevaluate, null, allowMixedProvenance,
        spark);
  }

  static int runSuite(PretextCli parent, Path file, List<String> overrides, List<String> methods,
      Path out, boolean resume) throws Exception {
    return runSuite(parent, file, overrides, methods, out, resume, false);
  }

  static int runSuite(PretextCli parent, Path file, List<String> overrides, List<String> methods,
      Path out, boolean resume, boolean reevaluate) throws Exception {
    return runSuite(parent, file, overrides, methods, out, resume, reevaluate, null);
  }

  /** As above; with {@code demoStart}, ends with the demo's summary and its wall time. */
  static int runSuite(PretextCli parent, Path file, List<String> overrides, List<String> methods,
      Path out, boolean resume, boolean reevaluate, java.time.Instant demoStart) throws Exception {
    return runSuite(parent, file, overrides, methods, out, resume, reevaluate, demoStart, false);
  }

  /**
   * {@code --methods} split at commas, with the commas inside a sweep point's name put back:
   * {@code simclr[temperature=0.1,batch-size=128]} is one name.
   */
  static List<String> joinSweepPoints(List<String> split) {
    List<String> names = new ArrayList<>();
    StringBuilder open = null;
    for (String part : split) {
      open = open == null ? new StringBuilder(part) : open.append(',').append(part);
      if (open.chars().filter(c -> c == '[').count() <= open.chars().filter(c -> c == ']').count()) {
        names.add(open.toString());
        open = null;
      }
    }
    if (open != null) {
      names.add(open.toString());
    }
    return names;
  }

  /** As above; {@code allowMixedProvenance}: see {@code --allow-mixed-provenance}. */
  static int runSuite(PretextCli parent, Path file, List<String> overrides, List<String> methods,
      Path out, boolean resume, boolean reevaluate, java.time.Instant demoStart, boolean allowMixedProvenance)
      throws Exception {
    return runSuite(parent, file, overrides, methods, out, resume, reevaluate, demoStart, allowMixedProvenance, null);
  }

  /** As above; with {@code sparkMaster}, the entries run on Spark ({@code --spark}). */
  static int runSuite(PretextCli parent, Path file, List<String> overrides, List<String> methods,
      Path out, boolean resume, boolean reevaluate, java.time.Instant demoStart, boolean allowMixedProvenance,
      String sparkMaster) throws Exception {
    ClusterRunner cluster = null;
    if (sparkMaster != null) {
      cluster = java.util.ServiceLoader.load(ClusterRunner.class).findFirst().orElse(null);
      String refused = cluster == null ? "--spark needs the Spark runner add-on on the class path: run through the"
          + " launcher (bin/pretext) with the add-on in <home>/spark or PRETEXT_SPARK_HOME (README, \"On a Spark"
          + " cluster\")" : reevaluate ? "--reevaluate measures kept encoders in the results folder, which Spark's"
          + " executors do not see: run it without --spark" : null;
      if (refused != null) {
        System.err.println("error: " + refused);
        System.err.println("Nothing was trained.");
        return ExitCodes.BAD_CONFIG;
      }
    }
    resume |= reevaluate;
    PluginRegistry plugins = parent.injector().getInstance(PluginRegistry.class);
    PluginsCommand.warnAboutProblems(plugins);
    Suite suite = parent.injector().getInstance(SuiteLoader.class).load(file, overrides);
    Set<String> only = new LinkedHashSet<>();
    Set<String> known = new LinkedHashSet<>();
    suite.methods().forEach(m -> known.add(m.name()));
    for (String m : joinSweepPoints(methods)) {
      // A swept method's name selects all its points.
      List<String> points = suite.methods().stream().filter(p -> p.sweep() != null && p.sweep().method().equals(m))
          .map(Suite.MethodSpec::name).toList();
      if (!known.contains(m) && points.isEmpty()) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(parent),
            "--methods names '" + m + "', which the suite does not define; it defines " + known);
      }
      only.addAll(points.isEmpty() ? List.of(m) : points);
    }
    Path folder = out != null ? out : suite.output().resolve(suite.name());
    String unusable = notAFolder(folder, out != null ? "--out" : "suite.output/suite.name");
    if (unusable != null) {
      System.err.println("error: " + unusable);
      System.err.println("Nothing was trained.");
      return ExitCodes.BAD_CONFIG;
    }
    if (!resume) {
      if (ActiveRun.inUse(folder)) {
        System.err.println("error: another run is writing into " + folder + " now; a new run would move its"
            + " results aside. Add --resume to fill the folder beside it, or choose another --out.");
        System.err.println("Nothing was trained.");
        return ExitCodes.BAD_CONFIG;
      }
      keepEarlierResults(folder);
    }
    System.err.println("Results: " + folder.toAbsolutePath());
    SuiteRunner.Outcome outcome;
    try (ActiveRun active = ActiveRun.hold(folder)) {
      SuiteRunner runner = parent.injector().getInstance(SuiteRunner.class);
      outcome = cluster != null
          ? cluster.run(new ClusterRunner.Run(runner, plugins, parent.pluginsFolder(), file, overrides, suite, folder,
              only, resume, allowMixedProvenance, sparkMaster))
          : runner.run(suite, folder, only, resume, reevaluate, allowMixedProvenance);
    } catch (OutOfMemoryError e) {
      // JavaCPP refused an allocation above the launcher's resident limit, or the heap is full: no
      // bug, and the allocation that failed never happened, so every file written so far is whole.
      System.err.println("error: out of memory: " + e.getMessage() + ". Finished entries and checkpoints are"
          + " kept: free memory (another run?) or raise PRETEXT_MAXRSS / PRETEXT_HEAP, then run again with"
          + " --resume");
      return ExitCodes.OUT_OF_MEMORY;
    }
    System.out.println(java.nio.file.Files.readString(folder.resolve("results.md")));
    System.out.println("Written: " + folder.resolve("results.json") + ", " + folder.resolve("results.md"));
    if (demoStart != null) {
      System.out.print(DemoSummary.of(outcome.entries(), folder,
          java.time.Duration.between(demoStart, java.time.Instant.now())));
    }
    if (!outcome.notReevaluated().isEmpty()) {
      System.err.println("Not evaluated again (earlier numbers kept): " + String.join(", ", outcome.notReevaluated()));
    }
    return outcome.anyFailed() ? ExitCodes.TRAINING_FAILED : ExitCodes.OK;
  }

  /**
   * Why {@code folder} cannot hold results, or null if it can (it may not exist yet); checked
   * before the data loads so that a wrong {@code --out} costs nothing.
   */
  static String notAFolder(Path folder, String namedBy) {
    if (java.nio.file.Files.exists(folder) && !java.nio.file.Files.isDirectory(folder)) {
      return namedBy + " names " + folder + ", which is a file; results go into a folder (created if"
          + " missing): name another";
    }
    return null;
  }

  /**
   * A new run into a folder that holds results moves them aside first (to {@code
   * <folder>-<time of their results.json>}), so running a suite twice never loses a table.
   */
  static void keepEarlierResults(Path folder) throws java.io.IOException {
    Path results = folder.resolve("results.json");
    if (!java.nio.file.Files.exists(results)) {
      return;
    }
    String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
        .withZone(java.time.ZoneId.systemDefault())
        .format(java.nio.file.Files.getLastModifiedTime(results).toInstant());
    Path aside = folder.resolveSibling(folder.getFileName() + "-" + stamp);
    for (int i = 2; java.nio.file.Files.exists(aside); i++) {
      aside = folder.resolveSibling(folder.getFileName() + "-" + stamp + "-" + i);
    }
    java.nio.file.Files.move(folder, aside);
    System.err.println("Earlier results in " + folder + " moved to " + aside
        + " (--resume continues a run instead)");
  }
}
