package dev.pretext.runtime;

import dev.pretext.api.Encoder;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.Datasets;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.DenseFeatures;
import dev.pretext.runtime.evaluation.EncoderFeatureMaps;
import dev.pretext.runtime.evaluation.FineTune;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.Protocols;
import dev.pretext.runtime.evaluation.SegmentationFineTune;
import dev.pretext.runtime.evaluation.SegmentationProbe;
import dev.pretext.runtime.report.EntryFiles;
import dev.pretext.runtime.report.Figures;
import dev.pretext.runtime.report.HtmlReport;
import dev.pretext.runtime.report.SegmentationPictures;
import dev.pretext.runtime.report.SegmentationResults;
import dev.pretext.runtime.report.SegmentationScores;
import dev.pretext.runtime.report.WriteFailedException;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Evaluates the encoders of one suite run on its labeled data: the frozen-feature protocols with
 * their figures, fine-tuning, and what a method reports about its own pretext task. Only the
 * protocols can fail an entry; figures, visuals, pretext metrics and fine-tuning that fail are
 * reported and cost only themselves.
 */
final class Evaluator {

  private static final int FEATURE_BATCH = 500;
  private static final int NEIGHBOURS = 8;

  private final Suite suite;
  private final FashionMnist.Split data;
  private final Datasets.Scenes scenes;
  private final Path folder;
  private final TrainingEngine engine;
  private final PrintStream log;
  /** The train features of the entry evaluated last, for fine-tuning's probe head (LP-FT). */
  private String featuresOf;
  private INDArray trainFeatures;
  private double evaluationSeconds;

  Evaluator(Suite suite, FashionMnist.Split data, Path folder, TrainingEngine engine, PrintStream log) {
    this(suite, data, null, folder, engine, log);
  }

  /** @param scenes the segmentation protocol's scenes, null when it is off */
  Evaluator(Suite suite, FashionMnist.Split data, Datasets.Scenes scenes, Path folder, TrainingEngine engine,
      PrintStream log) {
    this.suite = suite;
    this.data = data;
    this.scenes = scenes;
    this.folder = folder;
    this.engine = engine;
    this.log = log;
  }

  /** The protocols on a frozen encoder's representations of the train and test images. */
  Map<String, Map<String, Double>> frozen(FrozenEncoder frozen, String name, long seed) {
    long start = System.nanoTime();
    frozen.calibrate(data.train(), suite.evaluation().calibrationBatches(), 256, seed);
    INDArray train = frozen.represent(data.train(), FEATURE_BATCH);
    INDArray test = frozen.represent(data.test(), FEATURE_BATCH);
    double featureSeconds = seconds(start);
    log.printf(Locale.ROOT, "   features of %d images: %.0f s%n", data.train().size() + data.test().size(),
        featureSeconds);
    Map<String, Map<String, Double>> metrics = features(train, test, name, seed);
    evaluationSeconds += featureSeconds;
    return metrics;
  }

  /**
   * The protocols on a pretrained method's representation: its task's evaluation graph over the
   * labeled images, with the trained encoder's weights. Its own graph is calibrated first on
   * batches prepared from the images it pretrained on (for its visuals and pretext metrics), then
   * receives the evaluated representation's calibrated statistics, so the graph that is kept is
   * the one measured.
   *
   * @param encoder the method's encoder as created for pretraining
   */
  Map<String, Map<String, Double>> pretrained(TrainedMethod trained, Encoder encoder, ImageSet pretrainedOn,
      String name, long seed) {
    FrozenEncoder.calibrateTrainingGraph(trained, pretrainedOn, suite.evaluation().calibrationBatches(), 256, seed);
    FrozenEncoder frozen = FrozenEncoder.pretrained(trained, encoder, data.train().shape(), seed);
    Map<String, Map<String, Double>> metrics = frozen(frozen, name, seed);
    frozen.copyStatisticsInto(trained.graph());
    return metrics;
  }

  /**
   * Wall seconds of the last {@link #frozen} (calibration, features, protocols) or {@link #features}
   * (protocols) call; figures are not counted.
   */
  double evaluationSeconds() {
    return evaluationSeconds;
  }

  /** The protocols on given features ({@code [N, D]} train and test), with their figures. */
  Map<String, Map<String, Double>> features(INDArray train, INDArray test, String name, long seed) {
    Suite.FineTuneSettings fineTune = suite.evaluation().fineTune();
    // Only a probe head (LP-FT) reads them; otherwise they would live until the next entry's.
    boolean keep = fineTune.enabled() && fineTune.head() == Suite.FineTuneSettings.Head.PROBE;
    featuresOf = keep ? name + "-seed" + seed : null;
    trainFeatures = keep ? train : null;
    drawRepresentations(train, test, name, seed);
    long start = System.nanoTime();
    Map<String, Map<String, Double>> metrics = Protocols.run(train, data.train().labels(), test,
        data.test().labels(), data.train().classNames().size(), suite.evaluation(), seed);
    evaluationSeconds = seconds(start);
    log.printf(Locale.ROOT, "   probes and kNN: %.0f s%n", evaluationSeconds);
    return metrics;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * The fine-tune protocol at the suite's fractions (none configured: no runs). A failure is
   * reported and costs only these numbers, never the protocols already computed; a checkpoint that
   * cannot be written is no fault of the protocol and stops the run, as in pretraining.
   *
   * @param pretrained the method's trained graph, or null to fine-tune a fresh encoder (= training
   *     from scratch)
   * @param representation the method's task, whose representation of the images is fine-tuned;
   *     null: the encoder's own
   * @throws WriteFailedException naming the fine-tune checkpoint folder and the cause
   */
  Map<String, Map<String, Double>> fineTune(String name, Supplier<Encoder> newEncoder, SameDiff pretrained,
      PretextTask representation, long seed, Path work) throws WriteFailedException {
    Suite.FineTuneSettings settings = suite.evaluation().fineTune();
    if (!settings.enabled()) {
      return Map.of();
    }
    try {
      long start = System.nanoTime();
      INDArray features = (name + "-seed" + seed).equals(featuresOf) ? trainFeatures : null;
      // Needed by this fine-tuning only: let the array go once it is done.
      featuresOf = null;
      trainFeatures = null;
      Map<String, Map<String, Double>> metrics = FineTune.run(engine, name, newEncoder, pretrained,
          representation, data.train(), data.test(), settings, features,
          suite.evaluation().linearProbe(), suite.evaluation().calibrationBatches(), seed, work);
      log.printf(Locale.ROOT, "   fine-tuning: %.0f s%n", seconds(start));
      return metrics;
    } catch (RuntimeException e) {
      if (e instanceof UncheckedIOException u && u.getCause() instanceof WriteFailedException w) {
        throw w;
      }
      log.printf("!! fine-tuning %s failed: %s%n", name, e.getMessage());
      return Map.of();
    }
  }

  /**
   * The segmentation protocol on an encoder's feature maps, with its picture, and its fine-tuned
   * variant when that is on; each null when the protocol is off, or when it fails (said in the
   * log: a failure costs only its own numbers).
   *
   * @param trained the graph whose encoder weights are measured; null: the encoder freshly
   *     initialized from {@code seed} (random-init, whose fine-tuning is training from scratch)
   * @throws WriteFailedException when a fine-tuning checkpoint cannot be written: no fault of the
   *     protocol, it stops the run as in pretraining
   */
  SegmentationResults segment(String name, Supplier<Encoder> encoder, SameDiff trained, long seed)
      throws WriteFailedException {
    if (scenes == null) {
      return SegmentationResults.NONE;
    }
    SegmentationScores frozen = segmentation(name, seed, suite.evaluation().segmentation().stages(), () -> {
      EncoderFeatureMaps maps = EncoderFeatureMaps.build(encoder.get(), scenes.train().shape(),
          suite.evaluation().segmentation(), seed);
      if (trained != null) {
        maps.withEncoderOf(trained);
      }
      return maps.calibrate(scenes.train().images(), suite.evaluation().calibrationBatches(), 256, seed);
    });
    return new SegmentationResults(frozen, segmentFineTuned(name, encoder, trained, seed));
  }

  /** The segmentation protocol on each pixel's 3 × 3 neighbourhood (the raw-pixel baseline, not fine-tuned). */
  SegmentationResults segmentRawPixels(String name, long seed) {
    return scenes == null ? SegmentationResults.NONE
        : new SegmentationResults(segmentation(name, seed, List.of(), DenseFeatures::pixelNeighbourhoods), null);
  }

  private SegmentationScores segmentFineTuned(String name, Supplier<Encoder> encoder, SameDiff trained, long seed)
      throws WriteFailedException {
    SegmentationSettings settings = suite.evaluation().segmentation();
    if (!settings.fineTune().enabled()) {
      return null;
    }
    // Under the entry's own work folder, which the runner removes once the entry is recorded.
    Path work = folder.resolve("work").resolve(EntryFiles.of(name, seed)).resolve("segmentation-fine-tune");
    try {
      long start = System.nanoTime();
      SegmentationFineTune.Result r = SegmentationFineTune.run(engine, name, encoder, trained, scenes.train(),
          scenes.test(), settings, suite.evaluation().calibrationBatches(), seed, work);
      double seconds = seconds(start);
      List<Double> losses = r.epochLosses();
      log.printf(Locale.ROOT, "   segmentation, fine-tuned: mIoU %.4f, pixel accuracy %.4f (%d steps, loss %.4f"
          + " -> %.4f; %.0f s)%n", r.scores().miou(), r.scores().pixelAccuracy(), r.steps(), losses.get(0),
          losses.get(losses.size() - 1), seconds);
      drawSegmentation(name + " (seed " + seed + ", fine-tuned)", r.scores().pictures(),
          HtmlReport.segmentationFineTunedFigure(name, seed));
      return new SegmentationScores(r.scores().miou(), r.scores().pixelAccuracy(), r.scores().classIou(), 0,
          (int) Math.min(Integer.MAX_VALUE, r.steps()), r.scores().fittedPixels(), settings.stages(),
          settings.data().summary(), seconds, losses);
    } catch (RuntimeException e) {
      if (e instanceof UncheckedIOException u && u.getCause() instanceof WriteFailedException w) {
        throw w;
      }
      log.printf("!! segmentation fine-tuning of %s failed: %s%n", name, e.getMessage());
      return null;
    }
  }

  private void drawSegmentation(String title, List<int[]> pictures, Path figure) {
    if (pictures.isEmpty()) {
      return;
    }
    try {
      SegmentationPictures.write(scenes.test(), pictures, title, folder.resolve(figure));
    } catch (IOException | RuntimeException e) {
      log.printf("   warning: could not draw the segmentation of %s: %s%n", title, e.getMessage());
    }
  }

  private SegmentationScores segmentation(String name, long seed, List<Integer> stages,
      Supplier<DenseFeatures> features) {
    SegmentationSettings settings = suite.evaluation().segmentation();
    try {
      long start = System.nanoTime();
      SegmentationProbe.Result r = SegmentationProbe.run(features.get(), scenes.train(), scenes.test(), settings,
          suite.evaluation().linearProbe(), seed);
      double seconds = seconds(start);
      log.printf(Locale.ROOT, "   segmentation: mIoU %.4f, pixel accuracy %.4f (l2 %.0e, %d iterations, %d pixels;"
          + " %.0f s)%n", r.miou(), r.pixelAccuracy(), r.choice().l2(), r.choice().iterations(), r.fittedPixels(),
          seconds);
      drawSegmentation(name + " (seed " + seed + ")", r.pictures(), HtmlReport.segmentationFigure(name, seed));
      return new SegmentationScores(r.miou(), r.pixelAccuracy(), r.classIou(), r.choice().l2(),
          r.choice().iterations(), r.fittedPixels(), stages, settings.data().summary(), seconds);
    } catch (RuntimeException e) {
      log.printf("!! segmentation of %s failed: %s%n", name, e.getMessage());
      return null;
    }
  }

  /** Lets the method draw what it learned on held-out images into {@code into}. */
  void writeVisuals(TrainedMethod trained, GraphRunner runner, INDArray heldOut, Path into) {
    if (heldOut == null) {
      log.printf("   no held-out pretraining images (held-out = 0): no visuals%n");
      return;
    }
    try {
      List<Path> files = trained.task().writeVisuals(runner, trained.graph(), trained.taskGraph(), heldOut, into);
      files.forEach(f -> log.printf("   wrote %s%n", f));
    } catch (IOException | RuntimeException e) {
      log.printf("   warning: could not write visuals of %s: %s%n", trained.name(), e.getMessage());
    }
  }

  /**
   * The method's measures of its own pretext task (e.g. colourization error) on held-out
   * pretraining images, reported next to the protocols.
   */
  Map<String, Double> pretextMetrics(TrainedMethod trained, GraphRunner runner, INDArray heldOut) {
    if (heldOut == null) {
      return Map.of();
    }
    try {
      Map<String, Double> values = trained.task().pretextMetrics(runner, trained.graph(), trained.taskGraph(), heldOut);
      if (!values.isEmpty()) {
        StringBuilder line = new StringBuilder("   pretext task on " + heldOut.size(0) + " held-out images:");
        values.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.4f;", k, v)));
        log.println(line);
      }
      return values;
    } catch (RuntimeException e) {
      log.printf("   warning: could not measure the pretext task of %s: %s%n", trained.name(), e.getMessage());
      return Map.of();
    }
  }

  /** One line of an entry's numbers, named: entries running at once log between each other's lines. */
  void logMetrics(String name, long seed, Map<String, Map<String, Double>> metrics, String suffix) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "   %s (seed %d):", name, seed));
    metrics.forEach((protocol, m) -> {
      line.append(String.format(Locale.ROOT, " %s %.4f/%.4f", protocol, m.get("top1"), m.get("top5")));
      if (m.containsKey("l2")) {
        line.append(String.format(Locale.ROOT, " (l2 %.0e, %.0f iterations)", m.get("l2"), m.get("iterations")));
      }
      line.append(';');
    });
    log.println(line + suffix);
  }

  /** Nearest-neighbour grid and PCA of one encoder's representations. */
  private void drawRepresentations(INDArray train, INDArray test, String name, long seed) {
    try {
      Figures.neighbours(data.train(), train, data.test(), test, NEIGHBOURS,
          folder.resolve(HtmlReport.neighboursFigure(name, seed)));
      Figures.pca(test, data.test().labels(), data.test().classNames(), name + ": test representations, PCA",
          folder.resolve(HtmlReport.pcaFigure(name, seed)));
    } catch (IOException | RuntimeException e) {
      log.printf("   warning: could not draw the representations of %s: %s%n", name, e.getMessage());
    }
  }
}
