package dev.pretext.runtime;

import com.google.inject.Inject;
import dev.pretext.api.Encoder;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.ConfigProblem;
import dev.pretext.runtime.config.EffectiveSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.Datasets;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.PretrainingData;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.BatchedGraphRunner;
import dev.pretext.runtime.evaluation.FineTune;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.Protocols;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.AtomicFiles;
import dev.pretext.runtime.report.EntryFiles;
import dev.pretext.runtime.report.HtmlReport;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.report.SegmentationResults;
import dev.pretext.runtime.report.WriteFailedException;
import dev.pretext.runtime.training.Backend;
import dev.pretext.runtime.training.Checkpoints;
import dev.pretext.runtime.training.ComputeThreads;
import dev.pretext.runtime.training.NativeMemory;
import dev.pretext.runtime.training.SupervisedTask;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a validated suite: for each seed, evaluates the baselines and pretrains then evaluates each
 * method. A failing method is recorded with its reason and the others go on; results are written
 * after every entry.
 */
public final class SuiteRunner {

  /**
   * What a run produced.
   *
   * @param notReevaluated entries {@code --reevaluate} could not measure again ("name (seed s)"); they
   *     keep their earlier numbers
   */
  public record Outcome(Path folder, List<ResultEntry> entries, List<String> notReevaluated) {
    public boolean anyFailed() {
      return !notReevaluated.isEmpty() || entries.stream().anyMatch(e -> !e.ok());
    }
  }

  private static final int VISUAL_IMAGES = 8;
  /** Held-out pretraining images on which a method measures its own pretext task. */
  private static final int PRETEXT_METRIC_IMAGES = 256;

  private final PluginRegistry plugins;
  private final TrainingEngine engine;
  private final PrintStream log;

  @Inject
  public SuiteRunner(PluginRegistry plugins, TrainingEngine engine) {
    this(plugins, engine, System.err);
  }

  /** Progress and results lines go to {@code log}. */
  SuiteRunner(PluginRegistry plugins, TrainingEngine engine, PrintStream log) {
    this.plugins = plugins;
    this.engine = engine;
    this.log = log;
  }

  /**
   * Runs the suite into {@code folder}.
   *
   * @param onlyMethods method names to run (empty = all)
   * @param resume keep finished entries of an earlier run and continue unfinished methods from
   *     their last checkpoint
   */
  public Outcome run(Suite suite, Path folder, Set<String> onlyMethods, boolean resume) throws IOException {
    return run(suite, folder, onlyMethods, resume, false);
  }

  /**
   * As {@link #run(Suite, Path, Set, boolean)}; with {@code reevaluate} (implies resume), the
   * frozen protocols' settings may differ from the folder's, and every finished entry of the run's
   * seeds, baselines and methods that was measured under other ones is measured again: a method
   * from its kept encoder (its pretraining, pretext metrics and fine-tuning numbers are kept), a
   * baseline from scratch.
   */
  public Outcome run(Suite suite, Path folder, Set<String> onlyMethods, boolean resume, boolean reevaluate)
      throws IOException {
    return run(suite, folder, onlyMethods, resume, reevaluate, false);
  }

  /**
   * As {@link #run(Suite, Path, Set, boolean, boolean)}; with {@code allowMixedProvenance}, a
   * resumed folder may hold entries produced by other plugin jars or data files than this run's
   * (each entry keeps the provenance it was produced with); without it such a resume is refused.
   */
  public Outcome run(Suite suite, Path folder, Set<String> onlyMethods, boolean resume, boolean reevaluate,
      boolean allowMixedProvenance) throws IOException {
    return run(suite, folder, new RunOptions(onlyMethods, resume, reevaluate, allowMixedProvenance, null));
  }

  /**
   * What a run does beyond the suite.
   *
   * @param onlyMethods method names to run (empty = all)
   * @param resume keep finished entries and continue unfinished methods from their checkpoints
   * @param reevaluate see {@link #run(Suite, Path, Set, boolean, boolean)} (implies resume)
   * @param allowMixedProvenance see {@link #run(Suite, Path, Set, boolean, boolean, boolean)}
   * @param units only these entries (from {@link #plan}); null = every entry of the suite, an empty
   *     list = the run's checks and files only (what a Spark driver does before its tasks)
   */
  public record RunOptions(Set<String> onlyMethods, boolean resume, boolean reevaluate,
      boolean allowMixedProvenance, List<WorkUnit> units) {
    public RunOptions {
      onlyMethods = Set.copyOf(onlyMethods);
      units = units == null ? null : List.copyOf(units);
    }
  }

  /**
   * The entries a run of {@code suite} into {@code folder} would produce, in run order (seed by seed,
   * baselines then methods): all of them, or with {@code resume} those not finished in the folder.
   * Entries a resumed run would only measure again ({@code --reevaluate}) are not planned.
   */
  public List<WorkUnit> plan(Suite suite, Path folder, Set<String> onlyMethods, boolean resume) throws IOException {
    List<ResultEntry> finished = resume && Files.exists(folder.resolve("results.json"))
        ? ResultsWriter.readEntries(folder) : List.of();
    return units(suite, onlyMethods).stream().filter(u -> !done(finished, u.name(), u.seed())).toList();
  }

  /**
   * Every entry of the suite, in run order: seed by seed, baselines then methods; with several
   * workers methods first, the long ones (pretraining) started before the short ones (most
   * baselines only evaluate), so that the last to finish is not a long one started late.
   */
  private static List<WorkUnit> units(Suite suite, Set<String> onlyMethods) {
    List<WorkUnit> units = new ArrayList<>();
    for (long seed : suite.seeds()) {
      List<WorkUnit> baselines = suite.baselines().stream().map(b -> new WorkUnit(seed, b)).toList();
      List<WorkUnit> methods = suite.methods().stream().map(Suite.MethodSpec::name)
          .filter(m -> onlyMethods.isEmpty() || onlyMethods.contains(m)).map(m -> new WorkUnit(seed, m)).toList();
      if (suite.workers() > 1) {
        units.addAll(methods);
        units.addAll(baselines);
      } else {
        units.addAll(baselines);
        units.addAll(methods);
      }
    }
    return units;
  }

  /**
   * Records {@code entry} (null: nothing new) in {@code folder}'s results as a run of {@code suite}
   * does after each entry: under the folder's lock, replacing the entry of the same name and seed,
   * then rewriting results.md/csv and report.html. For a driver that ran the entry elsewhere.
   */
  public void record(Suite suite, Path folder, ResultEntry entry) throws IOException {
    writeResults(folder, suite, versions(), new ArrayList<>(), entry, EvaluationStamp.earlier(folder));
  }

  /** Runs the suite into {@code folder} as {@code options} say. */
  public Outcome run(Suite suite, Path folder, RunOptions options) throws IOException {
    boolean reevaluate = options.reevaluate();
    boolean resume = options.resume() || reevaluate;
    Set<String> onlyMethods = options.onlyMethods();
    if (resume) {
      ResumeCheck.requireReadable(folder);
    }
    // Temporaries of a run that was killed while writing; ours cannot be in flight yet.
    AtomicFiles.removeStale(List.of(folder, folder.resolve("figures"), folder.resolve("encoders")));
    ComputeThreads.configureFromSuite(suite.threads());
    log.printf("Threads: %s%s%n", ComputeThreads.policy(),
        suite.workers() > 1 ? ", " + suite.workers() + " entries at once (suite.workers)" : "");
    FashionMnist.Split data = loadData(suite.data(), suite.seeds().get(0));
    Map<Suite.DataSettings, PretrainingData> pretraining =
        PretrainingInputs.load(suite, onlyMethods, suite.seeds().get(0), log);
    Datasets.Scenes scenes = loadScenes(suite, suite.seeds().get(0));
    List<ImageSet> images = new ArrayList<>(List.of(data.train(), data.test()));
    if (scenes != null) {
      images.addAll(List.of(scenes.train().images(), scenes.test().images()));
    }
    pretraining.values().forEach(p -> images.addAll(Arrays.asList(p.train(), p.heldOut())));
    long dataBytes = MemoryLimits.dataBytes(images);
    NativeMemory.ceiling(MemoryLimits.ceilingFor(dataBytes, suite.workers()));
    log.println(MemoryLimits.describe(dataBytes, suite.workers()));
    PretrainingInputs.check(plugins, suite, onlyMethods, data, pretraining, suite.seeds().get(0));
    Batch batch = new Batch(suite, folder, resume, data, pretraining, scenes);
    if (resume) {
      ResumeCheck.requireSameSettings(folder, suite.resolved(), EffectiveSettings.of(suite, plugins), reevaluate);
    }
    batch.entries.addAll(resume ? stamped(ResultsWriter.readEntries(folder), batch.legacyStamp) : List.of());
    if (resume && !options.allowMixedProvenance()) {
      batch.provenance.requireUnmixed(folder, batch.entries, onlyMethods);
    }
    if (!reevaluate) {
      requireNoStaleEntries(folder, suite, onlyMethods, batch.entries, batch.stamp);
    }
    batch.record(null);
    List<WorkUnit> units = units(suite, onlyMethods).stream()
        .filter(u -> options.units() == null || options.units().contains(u)).toList();
    int workers = Math.max(1, Math.min(suite.workers(), units.size()));
    if (workers == 1) {
      for (WorkUnit unit : units) {
        batch.run(unit);
      }
    } else {
      runConcurrently(batch, units, workers);
    }
    return new Outcome(folder, batch.snapshot(), List.copyOf(batch.notReevaluated));
  }

  /**
   * Runs {@code units} on {@code workers} threads, each taking the next unit when it is free. A unit
   * that throws (a file of the run that cannot be written) stops new units from starting; the
   * running ones finish and are recorded, then the first error is thrown.
   */
  private void runConcurrently(Batch batch, List<WorkUnit> units, int workers) throws IOException {
    java.util.concurrent.ConcurrentLinkedQueue<WorkUnit> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(units);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Thread thread = new Thread(() -> {
        for (WorkUnit unit = queue.poll(); unit != null && failure.get() == null; unit = queue.poll()) {
          try {
            batch.run(unit);
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          }
        }
      }, "pretext-entry-" + (w + 1));
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while entries were running");
      }
    }
    Throwable t = failure.get();
    if (t instanceof IOException e) {
      throw e;
    } else if (t instanceof RuntimeException e) {
      throw e;
    } else if (t instanceof Error e) {
      throw e;
    } else if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * One run's shared state: what every entry reads (data, stamps, versions) and the folder's
   * entries, which only {@link #record} changes (under a lock: entries may run on several threads).
   */
  private final class Batch {
    final Suite suite;
    final Path folder;
    final boolean resume;
    final FashionMnist.Split data;
    final Map<Suite.DataSettings, PretrainingData> pretraining;
    final Datasets.Scenes scenes;
    final Map<String, String> versions = versions();
    final String stamp;
    final String legacyStamp;
    final ProvenanceRecorder provenance;
    /** The folder's entries as last read or written; guarded by this. */
    final List<ResultEntry> entries = new ArrayList<>();
    final List<String> notReevaluated = java.util.Collections.synchronizedList(new ArrayList<>());

    Batch(Suite suite, Path folder, boolean resume, FashionMnist.Split data,
        Map<Suite.DataSettings, PretrainingData> pretraining, Datasets.Scenes scenes) {
      this.suite = suite;
      this.folder = folder;
      this.resume = resume;
      this.data = data;
      this.pretraining = pretraining;
      this.scenes = scenes;
      this.stamp = EvaluationStamp.of(suite.resolved());
      this.legacyStamp = EvaluationStamp.earlier(folder);
      this.provenance = new ProvenanceRecorder(suite, plugins);
    }

    synchronized List<ResultEntry> snapshot() {
      return List.copyOf(entries);
    }

    synchronized void record(ResultEntry produced) throws IOException {
      writeResults(folder, suite, versions, entries, produced, legacyStamp);
    }

    /** Runs one entry: measures it, measures it again, or skips it as the folder and options say. */
    void run(WorkUnit unit) throws IOException {
      List<ResultEntry> known = snapshot();
      long seed = unit.seed();
      // Each entry gets its own evaluator and registry: entries may run on several threads.
      Evaluator evaluator = new Evaluator(suite, data, scenes, folder, engine, log);
      Components components = new Components(plugins, seed, data.train().shape());
      ComputeThreads.enterEntry();
      // OpenMP's count is per thread: a worker thread starts at the machine's, and an entry's first
      // ops on it would sum in another order than a one-thread run's.
      ComputeThreads.adjust();
      try {
        Suite.BaselineSpec spec = suite.baselineSpecs().stream().filter(b -> b.name().equals(unit.name()))
            .findFirst().orElse(null);
        if (spec != null) {
          runBaseline(spec, seed, known, evaluator, components);
        } else {
          Suite.MethodSpec method = suite.methods().stream().filter(m -> m.name().equals(unit.name()))
              .findFirst().orElseThrow(() -> new IllegalArgumentException(
                  unit.describe() + " is neither a baseline nor a method of suite " + suite.name()));
          runMethod(method, seed, known, evaluator, components);
        }
      } finally {
        ComputeThreads.leaveEntry();
      }
    }

    private void runBaseline(Suite.BaselineSpec spec, long seed, List<ResultEntry> known, Evaluator evaluator,
        Components components) throws IOException {
      String baseline = spec.name();
      if (done(known, baseline, seed) && !stale(known, baseline, seed, stamp)) {
        removeLeftoverWork(folder, baseline, seed);
        return;
      }
      NativeMemory.releaseGarbage();
      boolean again = done(known, baseline, seed);
      // A kept supervised encoder is measured again, not trained again (~15 min a seed on full data).
      boolean fromKept = again && EncoderExport.isKept(folder, baseline, seed);
      log.printf("== %s (baseline, seed %d)%s%n", baseline, seed,
          fromKept ? ", evaluated again from its kept encoder" : again ? ", evaluated again" : "");
      ResultEntry entry = fromKept ? keptBaselineAgain(find(known, baseline, seed), evaluator, folder, data) : null;
      if (entry == null) {
        entry = baseline(spec, suite, components, data, evaluator, seed, folder).withProvenance(provenance.baseline(spec));
      }
      record(entry.withEvaluation(stamp));
      // The supervised baseline's checkpoint, random-init's fine-tuning: nothing resumes them.
      removeWork(workFolder(folder, baseline, seed));
      removeWork(workFolder(folder, EntryFiles.of(baseline, seed) + "-fine-tune"));
    }

    private void runMethod(Suite.MethodSpec method, long seed, List<ResultEntry> known, Evaluator evaluator,
        Components components) throws IOException {
      if (done(known, method.name(), seed)) {
        if (stale(known, method.name(), seed, stamp)) {
          NativeMemory.releaseGarbage();
          log.printf("== %s (method %s, seed %d), evaluated again from its kept encoder%n",
              method.name(), method.task().type(), seed);
          ResultEntry entry;
          try {
            entry = reevaluated(find(known, method.name(), seed), evaluator, folder, data.train().shape())
                .withEvaluation(stamp);
          } catch (IOException | RuntimeException | LinkageError e) {
            // The entry keeps its earlier measurement (and stamp); the other entries go on.
            log.printf("!! %s (seed %d) could not be evaluated again, its earlier numbers stay: %s%n",
                method.name(), seed, e.getMessage());
            notReevaluated.add(method.name() + " (seed " + seed + ")");
            return;
          }
          record(entry);
        }
        removeLeftoverWork(folder, method.name(), seed);
        return;
      }
      NativeMemory.releaseGarbage();
      log.printf("== %s (method %s, seed %d)%n", method.name(), method.task().type(), seed);
      Path work = workFolder(folder, method.name(), seed);
      var sources = provenance.method(method);
      ProvenanceRecorder.keepBesideCheckpoint(work, sources);
      ResultEntry entry = method(method, suite, components, data, evaluator,
          pretraining.get(method.pretrainingData()), seed, folder, work, resume).withEvaluation(stamp)
          .withProvenance(sources);
      record(entry);
      if (entry.ok()) {
        removeWork(work);
      } else {
        log.printf("!! %s failed: %s%n", method.name(), entry.reason());
      }
    }
  }

  /** Where an entry's checkpoints go while it trains: {@code work/STEM-seedS} ({@link EntryFiles}). */
  private static Path workFolder(Path folder, String name, long seed) {
    return workFolder(folder, EntryFiles.of(name, seed));
  }

  private static Path workFolder(Path folder, String name) {
    return folder.resolve("work").resolve(name);
  }

  /**
   * A finished entry's work folder left by a run that stopped between recording the entry and
   * removing it: its checkpoint will never be resumed, so it goes.
   */
  private void removeLeftoverWork(Path folder, String name, long seed) {
    Path work = workFolder(folder, name, seed);
    if (Files.exists(work)) {
      log.printf("   removing %s: %s (seed %d) has finished%n", work, name, seed);
      removeWork(work);
    }
  }

  /**
   * Removes a work folder (checkpoints of an entry that is recorded), and {@code work/} when that
   * leaves it empty. Another run filling the folder may be removing it too; a folder that cannot be
   * removed costs a warning, never the results.
   */
  private void removeWork(Path work) {
    try {
      Checkpoints.deleteRecursively(work);
      if (Files.isDirectory(work.getParent())) {
        try (var left = Files.list(work.getParent())) {
          if (left.findAny().isEmpty()) {
            Files.deleteIfExists(work.getParent());
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
      // Removed, or filled, by another run at the same moment.
    } catch (IOException | java.io.UncheckedIOException e) {
      log.printf("   warning: could not remove %s: %s%n", work, e.getMessage());
    }
  }

  /**
   * Records {@code produced} (null: nothing new) in the folder's results under a file lock, and
   * refreshes {@code entries} from what is then on disk. A run replaces only the entries it
   * produced: runs filling one folder side by side never put back the copy of another run's entry
   * they read at their start after that run re-measured it.
   */
  private void writeResults(Path folder, Suite suite, Map<String, String> versions, List<ResultEntry> entries,
      ResultEntry produced, String legacyStamp) throws IOException {
    Files.createDirectories(folder);
    // The file lock keeps other processes out; a JVM may hold it once (entries on several threads,
    // a Spark driver recording beside local tasks), hence the monitor.
    synchronized (SuiteRunner.class) {
      writeResultsUnderFileLock(folder, suite, versions, entries, produced, legacyStamp);
    }
  }

  private void writeResultsUnderFileLock(Path folder, Suite suite, Map<String, String> versions,
      List<ResultEntry> entries, ResultEntry produced, String legacyStamp) throws IOException {
    try (FileChannel lockFile = FileChannel.open(folder.resolve(".results.lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      List<ResultEntry> merged = new ArrayList<>(stamped(ResultsWriter.readEntries(folder), legacyStamp));
      if (produced != null) {
        merged.removeIf(e -> e.name().equals(produced.name()) && e.seed() == produced.seed());
        merged.add(produced);
      }
      // The suite's order whatever order entries finished in (several run at once with workers).
      List<String> names = entryNames(suite);
      merged.sort(Comparator.comparingInt((ResultEntry e) -> position(suite.seeds(), e.seed()))
          .thenComparingInt(e -> position(names, e.name())));
      entries.clear();
      entries.addAll(merged);
      writeResultsLocked(folder, suite, versions, entries);
    }
  }

  private void writeResultsLocked(Path folder, Suite suite, Map<String, String> versions,
      List<ResultEntry> entries) throws IOException {
    ResultsWriter.write(folder, suite.name(), suite.resolved(), EffectiveSettings.of(suite, plugins),
        versions, entries);
    Map<String, Double> fractions = new LinkedHashMap<>();
    for (double f : suite.evaluation().labelFractions()) {
      if (f < 1) {
        fractions.put(Protocols.fractionKey(f), f);
      }
    }
    fractions.put("linear_probe", 1.0);
    HtmlReport.write(folder, suite.name(), versions, entries, fractions);
  }

  /** Where {@code value} is in {@code list}; after every listed one when absent (an earlier suite's entry). */
  private static <T> int position(List<T> list, T value) {
    int i = list.indexOf(value);
    return i < 0 ? list.size() : i;
  }

  /** Baselines then methods, as the suite lists them: the order of results. */
  private static List<String> entryNames(Suite suite) {
    List<String> names = new ArrayList<>(suite.baselines());
    suite.methods().forEach(m -> names.add(m.name()));
    return names;
  }

  private static boolean done(List<ResultEntry> entries, String name, long seed) {
    return entries.stream().anyMatch(e -> e.name().equals(name) && e.seed() == seed && e.ok());
  }

  private static ResultEntry find(List<ResultEntry> entries, String name, long seed) {
    return entries.stream().filter(e -> e.name().equals(name) && e.seed() == seed && e.ok()).findFirst()
        .orElseThrow();
  }

  /** A finished entry measured under other frozen-protocol settings than {@code stamp}. */
  private static boolean stale(List<ResultEntry> entries, String name, long seed, String stamp) {
    return entries.stream().anyMatch(e -> e.name().equals(name) && e.seed() == seed && e.ok()
        && e.evaluatedWith() != null && !e.evaluatedWith().equals(stamp));
  }

  /**
   * Entries written before stamps were recorded were measured under the folder's earlier settings
   * ({@code earlier}: the stamp of the resolved.conf found when the run started, or null).
   */
  private static List<ResultEntry> stamped(List<ResultEntry> entries, String earlier) {
    return entries.stream().map(e -> e.evaluatedWith() == null && earlier != null ? e.withEvaluation(earlier) : e)
        .toList();
  }

  /**
   * Refuses to resume into a folder whose finished entries (of this run's seeds, baselines and
   * methods) were measured under other frozen-protocol settings, e.g. after an interrupted
   * {@code --reevaluate}: the table would mix protocols.
   */
  private static void requireNoStaleEntries(Path folder, Suite suite, Set<String> onlyMethods,
      List<ResultEntry> entries, String stamp) {
    List<String> stale = new ArrayList<>();
    for (long seed : suite.seeds()) {
      List<String> names = new ArrayList<>(suite.baselines());
      suite.methods().stream().map(Suite.MethodSpec::name)
          .filter(n -> onlyMethods.isEmpty() || onlyMethods.contains(n)).forEach(names::add);
      for (String name : names) {
        if (stale(entries, name, seed, stamp)) {
          stale.add(name + " (seed " + seed + ")");
        }
      }
    }
    if (!stale.isEmpty()) {
      throw new SuiteConfigException("--resume into " + folder, List.of(
          new ConfigProblem(folder.resolve("results.json").toString(), "entries",
              stale + " were measured under other suite.evaluation settings than this run's;"
                  + " add --reevaluate to measure them again (methods from their kept encoders)")));
    }
  }

  /**
   * A finished method measured again by the frozen protocols, from its kept encoder (batch norm as
   * calibrated then); its fine-tuning numbers, pretraining and pretext metrics stay.
   */
  private ResultEntry reevaluated(ResultEntry entry, Evaluator evaluator, Path folder, ImageShape evaluated)
      throws IOException {
    // Built for the evaluation images, which may differ from the pretraining ones (RGB patches, gray data).
    EncoderExport.Kept kept = EncoderExport.load(folder, entry.name(), entry.seed(), plugins, evaluated);
    Map<String, Map<String, Double>> frozen = evaluator.frozen(
        FrozenEncoder.kept(kept.graph(), kept.input(), kept.output(), kept.size()), entry.name(), entry.seed());
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>(frozen);
    entry.metrics().forEach((protocol, values) -> {
      if (protocol.startsWith(FineTune.KEY_PREFIX)) {
        metrics.put(protocol, values);
      }
    });
    double seconds = evaluator.evaluationSeconds();
    evaluator.logMetrics(entry.name(), entry.seed(), metrics, "");
    return entry.withMetrics(metrics).withEvaluationSeconds(seconds);
  }

  /** A kept baseline encoder measured again; null (after saying why) when it cannot be used. */
  private ResultEntry keptBaselineAgain(ResultEntry entry, Evaluator evaluator, Path folder,
      FashionMnist.Split data) {
    try {
      return reevaluated(entry, evaluator, folder, data.train().shape());
    } catch (IOException | RuntimeException | LinkageError e) {
      // A baseline can always be computed again from scratch.
      log.printf("!! the kept encoder of %s (seed %d) cannot be used (%s); training it again%n",
          entry.name(), entry.seed(), e.getMessage());
      return null;
    }
  }

  private ResultEntry baseline(Suite.BaselineSpec spec, Suite suite, Components components,
      FashionMnist.Split data, Evaluator evaluator, long seed, Path folder) throws IOException {
    String name = spec.name();
    Suite.ComponentSpec encoderSpec = suite.encoderOf(spec);
    long start = System.nanoTime();
    Map<String, Map<String, Double>> metrics;
    Integer batchSize = null;
    double evaluationSeconds;
    SegmentationResults segmentation;
    if (spec.type().equals(Suite.BaselineSpec.RAW_PIXELS)) {
      INDArray train = data.train().images().reshape(data.train().size(), -1);
      INDArray test = data.test().images().reshape(data.test().size(), -1);
      metrics = evaluator.features(train, test, name, seed);
      evaluationSeconds = evaluator.evaluationSeconds();
      segmentation = evaluator.segmentRawPixels(name, seed);
    } else if (spec.type().equals(Suite.BaselineSpec.SUPERVISED)) {
      // The upper reference: the same encoder trained end to end with labels, same budget.
      batchSize = usedBatchSize(name, suite.training(), data.train().size());
      TrainedMethod trained = engine.train(new TrainingEngine.Run(name,
          new SupervisedTask(data.train().classNames().size()), createEncoder(encoderSpec, components),
          data.train(), suite.training(), seed, workFolder(folder, name, seed), false));
      metrics = evaluator.frozen(FrozenEncoder.supervised(trained), name, seed);
      evaluationSeconds = evaluator.evaluationSeconds();
      EncoderExport.keepSupervised(folder, name, seed, trained, encoderSpec, data.train().shape());
      segmentation = evaluator.segment(name, () -> createEncoder(encoderSpec, components), trained.graph(), seed);
    } else {
      Encoder encoder = createEncoder(encoderSpec, components);
      FrozenEncoder frozen = FrozenEncoder.untrained(encoder, data.train().shape(), seed);
      metrics = evaluator.frozen(frozen, name, seed);
      evaluationSeconds = evaluator.evaluationSeconds();
      segmentation = evaluator.segment(name, () -> createEncoder(encoderSpec, components), null, seed);
      // Fine-tuning the untrained encoder is training from scratch on the same labels.
      metrics.putAll(evaluator.fineTune(name, () -> createEncoder(encoderSpec, components), null, null, seed,
          workFolder(folder, EntryFiles.of(name, seed) + "-fine-tune")));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    evaluator.logMetrics(name, seed, metrics, String.format(java.util.Locale.ROOT, " (%.0f s)", seconds));
    return new ResultEntry(name, "baseline", spec.type(), seed, ResultEntry.OK, null, 0, null, null, null, null,
        metrics).withEncoder(encoderSpec == null ? null : encoderSpec.describe())
        .withData(spec.type().equals(Suite.BaselineSpec.SUPERVISED) ? describe(suite.data(), data.train()) : null,
            describe(suite.data(), data.test())).withBatchSize(batchSize).withEvaluationSeconds(evaluationSeconds)
        .withSegmentation(segmentation);
  }

  /**
   * The batch size training will use on {@code images} images, saying so in one line when the
   * configured one is larger and is cut to the number of images.
   */
  private int usedBatchSize(String name, Suite.TrainingSettings training, int images) {
    int used = TrainingEngine.batchSize(training, images);
    if (used < training.batchSize()) {
      log.printf("   warning: %s: batch-size %d is larger than its %d training images; it trains on"
          + " batches of %d%n", name, training.batchSize(), images, used);
    }
    return used;
  }

  private ResultEntry method(Suite.MethodSpec method, Suite suite, Components components,
      FashionMnist.Split data, Evaluator evaluator, PretrainingData pretraining, long seed, Path folder, Path work,
      boolean resume) throws WriteFailedException {
    String type = method.task().type();
    Suite.ComponentSpec encoderSpec = suite.encoderOf(method);
    ImageSet trainImages = pretraining == null ? data.train() : pretraining.train();
    String pretrainedOn = pretraining == null ? describe(suite.data(), data.train())
        : method.pretrainingData().block() + ": " + pretraining.description();
    String evaluatedOn = describe(suite.data(), data.test());
    int batchSize = usedBatchSize(method.name(), method.training(), trainImages.size());
    try {
      // The encoder and task see the images they pretrain on; evaluation builds the task's
      // representation for suite.data's images (checked before anything trained).
      Components methodComponents = pretraining == null ? components
          : new Components(plugins, seed, trainImages.shape());
      Encoder encoder = createEncoder(encoderSpec, methodComponents);
      PretextTask task = methodComponents.create(PretextTask.class, type, method.task().settings(),
          method.task().path());
      TrainedMethod trained = engine.train(new TrainingEngine.Run(method.name(), task, encoder,
          trainImages, method.training(), seed, work, resume));
      Map<String, Map<String, Double>> metrics = evaluator.pretrained(trained,
          createEncoder(encoderSpec, methodComponents), trainImages, method.name(), seed);
      double evaluationSeconds = evaluator.evaluationSeconds();
      SegmentationResults segmentation = evaluator.segment(method.name(),
          () -> createEncoder(encoderSpec, methodComponents), trained.graph(), seed);
      metrics.putAll(evaluator.fineTune(method.name(), () -> createEncoder(encoderSpec, components), trained.graph(),
          task, seed, work.resolve("fine-tune")));
      INDArray heldOut = heldOutImages(pretraining, data, VISUAL_IMAGES);
      // Batches of the training size: what batch statistics were over in training.
      GraphRunner runner = new BatchedGraphRunner(batchSize);
      evaluator.writeVisuals(trained, runner, heldOut,
          folder.resolve("visuals").resolve(EntryFiles.of(method.name(), seed)));
      Map<String, Double> pretext =
          evaluator.pretextMetrics(trained, runner, heldOutImages(pretraining, data, PRETEXT_METRIC_IMAGES));
      EncoderExport.keep(folder, method, seed, trained, suite, trainImages.shape());
      evaluator.logMetrics(method.name(), seed, metrics, String.format(java.util.Locale.ROOT, " pretraining %.0f s, %.0f img/s",
          trained.seconds(), trained.imagesPerSecond()));
      return new ResultEntry(method.name(), "method", type, seed, ResultEntry.OK, null,
          trained.seconds(), trained.steps(), trained.imagesPerSecond(), trained.epochLosses(),
          trained.stepLosses(), metrics).withEncoder(encoderSpec.describe()).withData(pretrainedOn, evaluatedOn)
          .withPretext(pretext)
          .withBatchSize(batchSize).withEvaluationSeconds(evaluationSeconds).withSegmentation(segmentation)
          .withSweep(sweepOf(method));
    } catch (IOException | RuntimeException | LinkageError e) {
      // A file of the run that cannot be written (its checkpoint, its kept encoder) is no fault of
      // the method: the run stops, exit 5, and --resume continues from what was kept.
      if (e instanceof WriteFailedException w) {
        throw w;
      }
      if (e instanceof java.io.UncheckedIOException u && u.getCause() instanceof WriteFailedException w) {
        throw w;
      }
      // LinkageError: a plugin jar that misses a class it needs fails its own method, not the run.
      String reason = e instanceof LinkageError
          ? "plugin of '" + type + "' is broken: " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")")
          : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return ResultEntry.failed(method.name(), "method", type, seed, reason)
          .withEncoder(encoderSpec.describe()).withData(pretrainedOn, evaluatedOn).withSweep(sweepOf(method));
    }
  }

  /** The sweep point {@code method} is, as results record it; null for a method as written. */
  private static ResultEntry.SweepPoint sweepOf(Suite.MethodSpec method) {
    Suite.SweepPoint p = method.sweep();
    return p == null ? null : new ResultEntry.SweepPoint(p.method(), p.keys(), p.values());
  }

  /**
   * Up to {@code count} images of the pretraining data that the method never trained on: the
   * held-out patches or images of {@code pretraining-data} when set, else the first test images
   * of {@code suite.data}; null when the pretraining data kept none aside.
   */
  static INDArray heldOutImages(PretrainingData pretraining, FashionMnist.Split data, int count) {
    ImageSet source = pretraining == null ? data.test() : pretraining.heldOut();
    if (source == null) {
      return null;
    }
    return source.batch(java.util.stream.IntStream.range(0, Math.min(count, source.size())).toArray());
  }

  /** "suite.data: <what the images are>" for results. */
  private static String describe(Suite.DataSettings settings, ImageSet images) {
    return settings.block() + ": " + images.description() + " (" + images.size() + " images of "
        + images.shape() + ")";
  }

  /** A fresh encoder of {@code spec} (the suite's, or a method's or baseline's own). */
  static Encoder createEncoder(Suite.ComponentSpec spec, Components components) {
    return components.create(Encoder.class, spec.type(), spec.settings(), spec.path());
  }

  /** The segmentation protocol's scenes, or null when it is off. */
  private Datasets.Scenes loadScenes(Suite suite, long seed) {
    var settings = suite.evaluation().segmentation();
    if (!settings.enabled()) {
      return null;
    }
    Datasets.Scenes scenes = Datasets.segmentation(settings.data(), suite.data().path(), seed,
        w -> log.println("   warning: " + w));
    log.printf("segmentation: %s (%d train, %d test scenes of %s, %d classes)%n", scenes.train().description(),
        scenes.train().size(), scenes.test().size(), scenes.train().shape(), scenes.train().classCount());
    return scenes;
  }

  private FashionMnist.Split loadData(Suite.DataSettings settings, long seed) {
    FashionMnist.Split split = Datasets.labeled(settings, seed, w -> log.println("   warning: " + w));
    log.printf("data: %s (%d train, %d test images of %s)%n", split.train().description(),
        split.train().size(), split.test().size(), split.train().shape());
    return split;
  }

  private Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("pretext", Versions.pretext());
    v.put("dl4j", Versions.dl4j());
    v.put("java", System.getProperty("java.version"));
    v.put("backend", Backend.describe());
    v.put("threads", ComputeThreads.policy());
    for (LoadedPlugin p : plugins.plugins()) {
      v.put("plugin " + p.descriptor().name(), p.descriptor().version());
    }
    return v;
  }
}
