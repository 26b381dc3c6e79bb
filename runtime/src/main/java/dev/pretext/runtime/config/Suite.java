package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import dev.pretext.api.ImageShape;
import java.nio.file.Path;
import java.util.List;

/**
 * A validated benchmark suite: what to pretrain, on which data, and how to evaluate it.
 *
 * @param resolved the fully resolved config (defaults included), written next to the results
 */
public record Suite(
    String name,
    List<Long> seeds,
    Path output,
    DataSettings data,
    ComponentSpec encoder,
    TrainingSettings training,
    List<MethodSpec> methods,
    List<String> baselines,
    EvaluationSettings evaluation,
    Config resolved) {

  /** The baselines every report can include. */
  public static final List<String> KNOWN_BASELINES = List.of("raw-pixels", "random-init", "supervised");

  /** Where the data comes from and how much of it to use. */
  public record DataSettings(String dataset, String source, String path, int trainLimit, int testLimit) {
    static final List<String> DATASETS = List.of("fashion-mnist");
    static final List<String> SOURCES = List.of("embedded", "full");

    static DataSettings from(Config c) {
      return new DataSettings(
          Settings.oneOf(c, "dataset", DATASETS),
          Settings.oneOf(c, "source", SOURCES),
          c.getString("path"),
          Settings.intIn(c, "train-limit", 0, Integer.MAX_VALUE),
          Settings.intIn(c, "test-limit", 0, Integer.MAX_VALUE));
    }

    /** The shape of one image of the dataset. */
    public ImageShape shape() {
      return new ImageShape(1, 28, 28);
    }
  }

  /** The pretraining budget and optimizer. */
  public record TrainingSettings(
      int epochs, int batchSize, double learningRate, double weightDecay, int prefetchBatches,
      long maxSteps) {
    static TrainingSettings from(Config c) {
      return new TrainingSettings(
          Settings.intIn(c, "epochs", 1, 100_000),
          Settings.intIn(c, "batch-size", 2, 65_536),
          Settings.doubleIn(c, "learning-rate", 1e-8, 10),
          Settings.doubleIn(c, "weight-decay", 0, 1),
          Settings.intIn(c, "prefetch-batches", 1, 64),
          Settings.intIn(c, "max-steps", 0, Integer.MAX_VALUE));
    }
  }

  /**
   * How the frozen representations are evaluated.
   *
   * @param labelFractions fractions of the training labels for extra linear probes (1 = all, the
   *     main probe, always run)
   */
  public record EvaluationSettings(
      int calibrationBatches, ProbeSettings linearProbe, KnnSettings knn, List<Double> labelFractions) {
    static EvaluationSettings from(Config c) {
      List<Double> fractions = c.getDoubleList("label-fractions");
      for (double f : fractions) {
        if (!(f > 0 && f <= 1)) {
          throw Settings.bad(c, "label-fractions", "each fraction must be in (0, 1], got " + f);
        }
      }
      return new EvaluationSettings(
          Settings.intIn(c, "calibration-batches", 1, 10_000),
          ProbeSettings.from(c.getConfig("linear-probe")),
          KnnSettings.from(c.getConfig("knn")),
          List.copyOf(fractions));
    }
  }

  /** The linear probe's optimizer settings. */
  public record ProbeSettings(int epochs, int minSteps, int batchSize, double learningRate, double l2) {
    static ProbeSettings from(Config c) {
      return new ProbeSettings(
          Settings.intIn(c, "epochs", 1, 10_000),
          Settings.intIn(c, "min-steps", 0, 10_000_000),
          Settings.intIn(c, "batch-size", 1, 65_536),
          Settings.doubleIn(c, "learning-rate", 1e-8, 10),
          Settings.doubleIn(c, "l2", 0, 10));
    }
  }

  /** The weighted kNN protocol. */
  public record KnnSettings(boolean enabled, int k, double temperature) {
    static KnnSettings from(Config c) {
      return new KnnSettings(c.getBoolean("enabled"), Settings.intIn(c, "k", 1, 100_000),
          Settings.doubleIn(c, "temperature", 1e-4, 100));
    }
  }

  /**
   * A component named in the suite.
   *
   * @param settings the user's values for it (defaults are merged in when it is created)
   * @param path where it lives in the suite, for messages
   */
  public record ComponentSpec(String type, Config settings, String path) {}

  /**
   * One method to pretrain.
   *
   * @param name display name, unique in the suite (defaults to the task type)
   */
  public record MethodSpec(String name, ComponentSpec task, TrainingSettings training) {}
}
