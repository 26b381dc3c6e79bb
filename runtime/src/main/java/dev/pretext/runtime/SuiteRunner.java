package dev.pretext.runtime;

import com.google.inject.Inject;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.Protocols;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.Figures;
import dev.pretext.runtime.report.HtmlReport;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.training.Backend;
import dev.pretext.runtime.training.Checkpoints;
import dev.pretext.runtime.training.SupervisedTask;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** What a run produced. */
  public record Outcome(Path folder, List<ResultEntry> entries) {
    public boolean anyFailed() {
      return entries.stream().anyMatch(e -> !e.ok());
    }
  }

  private static final int FEATURE_BATCH = 500;
  private static final int VISUAL_IMAGES = 8;
  private static final int NEIGHBOURS = 8;

  private final PluginRegistry plugins;
  private final TrainingEngine engine;
  private final PrintStream log;

  @Inject
  public SuiteRunner(PluginRegistry plugins, TrainingEngine engine) {
    this.plugins = plugins;
    this.engine = engine;
    this.log = System.err;
  }

  /**
   * Runs the suite into {@code folder}.
   *
   * @param onlyMethods method names to run (empty = all)
   * @param resume keep finished entries of an earlier run and continue unfinished methods from
   *     their last checkpoint
   */
  public Outcome run(Suite suite, Path folder, Set<String> onlyMethods, boolean resume) throws IOException {
    FashionMnist.Split data = loadData(suite.data(), suite.seeds().get(0));
    Map<String, String> versions = versions();
    List<ResultEntry> entries = new ArrayList<>(resume ? ResultsWriter.readEntries(folder) : List.of());
    writeResults(folder, suite, versions, entries);
    for (long seed : suite.seeds()) {
      Components components = new Components(plugins, seed, data.train().shape());
      for (String baseline : suite.baselines()) {
        if (done(entries, baseline, seed)) {
          continue;
        }
        log.printf("== %s (baseline, seed %d)%n", baseline, seed);
        entries.add(baseline(baseline, suite, components, data, seed, folder));
        writeResults(folder, suite, versions, entries);
      }
      for (Suite.MethodSpec method : suite.methods()) {
        if (!onlyMethods.isEmpty() && !onlyMethods.contains(method.name()) || done(entries, method.name(), seed)) {
          continue;
        }
        log.printf("== %s (method %s, seed %d)%n", method.name(), method.task().type(), seed);
        Path work = folder.resolve("work").resolve(method.name() + "-seed" + seed);
        ResultEntry entry = method(method, suite, components, data, seed, folder, work, resume);
        entries.removeIf(e -> e.name().equals(method.name()) && e.seed() == seed);
        entries.add(entry);
        writeResults(folder, suite, versions, entries);
        if (entry.ok()) {
          Checkpoints.deleteRecursively(work);
        } else {
          log.printf("!! %s failed: %s%n", method.name(), entry.reason());
        }
      }
    }
    return new Outcome(folder, entries);
  }

  private void writeResults(Path folder, Suite suite, Map<String, String> versions, List<ResultEntry> entries)
      throws IOException {
    ResultsWriter.write(folder, suite.name(), suite.resolved(), versions, entries);
    Map<String, Double> fractions = new LinkedHashMap<>();
    for (double f : suite.evaluation().labelFractions()) {
      if (f < 1) {
        fractions.put(Protocols.fractionKey(f), f);
      }
    }
    fractions.put("linear_probe", 1.0);
    HtmlReport.write(folder, suite.name(), versions, entries, fractions);
  }

  private static boolean done(List<ResultEntry> entries, String name, long seed) {
    return entries.stream().anyMatch(e -> e.name().equals(name) && e.seed() == seed && e.ok());
  }

  private ResultEntry baseline(String name, Suite suite, Components components,
      FashionMnist.Split data, long seed, Path folder) {
    long start = System.nanoTime();
    Map<String, Map<String, Double>> metrics;
    if (name.equals("raw-pixels")) {
      INDArray train = data.train().images().reshape(data.train().size(), -1);
      INDArray test = data.test().images().reshape(data.test().size(), -1);
      drawRepresentations(train, test, data, seed, name, folder);
      metrics = protocols(train, test, suite, data, seed);
    } else if (name.equals("supervised")) {
      // The upper reference: the same encoder trained end to end with labels, same budget.
      TrainedMethod trained = engine.train(new TrainingEngine.Run(name,
          new SupervisedTask(data.train().classNames().size()), createEncoder(suite, components),
          data.train(), suite.training(), seed, folder.resolve("work").resolve(name + "-seed" + seed), false));
      metrics = evaluate(FrozenEncoder.of(trained), suite, data, seed, name, folder);
    } else {
      Encoder encoder = createEncoder(suite, components);
      FrozenEncoder frozen = FrozenEncoder.untrained(encoder, data.train().shape(), seed);
      metrics = evaluate(frozen, suite, data, seed, name, folder);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    logMetrics(metrics, String.format(java.util.Locale.ROOT, " (%.0f s)", seconds));
    return new ResultEntry(name, "baseline", name, seed, ResultEntry.OK, null, 0, null, null, null, null,
        metrics);
  }

  private ResultEntry method(Suite.MethodSpec method, Suite suite, Components components,
      FashionMnist.Split data, long seed, Path folder, Path work, boolean resume) {
    String type = method.task().type();
    try {
      Encoder encoder = createEncoder(suite, components);
      PretextTask task = components.create(PretextTask.class, type, method.task().settings(), method.task().path());
      TrainedMethod trained = engine.train(new TrainingEngine.Run(method.name(), task, encoder,
          data.train(), method.training(), seed, work, resume));
      Map<String, Map<String, Double>> metrics =
          evaluate(FrozenEncoder.of(trained), suite, data, seed, method.name(), folder);
      writeVisuals(trained, data, folder.resolve("visuals").resolve(method.name() + "-seed" + seed));
      EncoderExport.keep(folder, method.name(), seed, trained, suite, data.train().shape());
      logMetrics(metrics, String.format(java.util.Locale.ROOT, " pretraining %.0f s, %.0f img/s",
          trained.seconds(), trained.imagesPerSecond()));
      return new ResultEntry(method.name(), "method", type, seed, ResultEntry.OK, null,
          trained.seconds(), trained.steps(), trained.imagesPerSecond(), trained.epochLosses(),
          trained.stepLosses(), metrics);
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return ResultEntry.failed(method.name(), "method", type, seed, reason);
    }
  }

  /** Lets the method draw what it learned on the first test images; a failure here is only a warning. */
  private void writeVisuals(TrainedMethod trained, FashionMnist.Split data, Path folder) {
    int n = Math.min(VISUAL_IMAGES, data.test().size());
    try {
      List<Path> files = trained.task().writeVisuals(trained.graph(), trained.taskGraph(),
          data.test().batch(java.util.stream.IntStream.range(0, n).toArray()), folder);
      files.forEach(f -> log.printf("   wrote %s%n", f));
    } catch (IOException | RuntimeException e) {
      log.printf("   warning: could not write visuals of %s: %s%n", trained.name(), e.getMessage());
    }
  }

  private Encoder createEncoder(Suite suite, Components components) {
    return components.create(Encoder.class, suite.encoder().type(), suite.encoder().settings(),
        suite.encoder().path());
  }

  private Map<String, Map<String, Double>> evaluate(FrozenEncoder frozen, Suite suite,
      FashionMnist.Split data, long seed, String name, Path folder) {
    frozen.calibrate(data.train(), suite.evaluation().calibrationBatches(), 256, seed);
    INDArray train = frozen.represent(data.train(), FEATURE_BATCH);
    INDArray test = frozen.represent(data.test(), FEATURE_BATCH);
    drawRepresentations(train, test, data, seed, name, folder);
    return protocols(train, test, suite, data, seed);
  }

  /** Nearest-neighbour grid and PCA of one encoder's representations; a failure is only a warning. */
  private void drawRepresentations(INDArray train, INDArray test, FashionMnist.Split data, long seed,
      String name, Path folder) {
    try {
      Figures.neighbours(data.train(), train, data.test(), test, NEIGHBOURS,
          folder.resolve(HtmlReport.neighboursFigure(name, seed)));
      Figures.pca(test, data.test().labels(), data.test().classNames(), name + ": test representations, PCA",
          folder.resolve(HtmlReport.pcaFigure(name, seed)));
    } catch (IOException | RuntimeException e) {
      log.printf("   warning: could not draw the representations of %s: %s%n", name, e.getMessage());
    }
  }

  private static Map<String, Map<String, Double>> protocols(INDArray train, INDArray test, Suite suite,
      FashionMnist.Split data, long seed) {
    return Protocols.run(train, data.train().labels(), test, data.test().labels(),
        data.train().classNames().size(), suite.evaluation(), seed);
  }

  private void logMetrics(Map<String, Map<String, Double>> metrics, String suffix) {
    StringBuilder line = new StringBuilder("  ");
    metrics.forEach((protocol, m) -> line.append(String.format(java.util.Locale.ROOT, " %s %.4f/%.4f;",
        protocol, m.get("top1"), m.get("top5"))));
    log.println(line + suffix);
  }

  private FashionMnist.Split loadData(Suite.DataSettings settings, long seed) {
    FashionMnist.Source source = settings.source().equals("full") ? FashionMnist.Source.FULL : FashionMnist.Source.EMBEDDED;
    FashionMnist.Split split = FashionMnist.load(source, settings.path().isEmpty() ? null : Path.of(settings.path()));
    ImageSet train = limit(split.train(), settings.trainLimit(), seed);
    ImageSet test = limit(split.test(), settings.testLimit(), seed + 1);
    log.printf("data: %s (%d train, %d test images)%n", train.description(), train.size(), test.size());
    return new FashionMnist.Split(train, test);
  }

  /** A stratified, seeded subset of at most {@code limit} images (0 = all). */
  static ImageSet limit(ImageSet set, int limit, long seed) {
    if (limit <= 0 || limit >= set.size()) {
      return set;
    }
    return set.subset(Stratified.indices(set.labels(), limit, seed));
  }

  private Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("pretext", Versions.pretext());
    v.put("dl4j", Versions.dl4j());
    v.put("java", System.getProperty("java.version"));
    v.put("backend", Backend.describe());
    for (LoadedPlugin p : plugins.plugins()) {
      v.put("plugin " + p.descriptor().name(), p.descriptor().version());
    }
    return v;
  }
}
