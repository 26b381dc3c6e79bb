package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.ImageShape;
import java.nio.file.Path;
import java.util.List;

/**
 * A validated benchmark suite: what to pretrain, on which data, and how to evaluate it.
 *
 * @param pretrainingData the suite-level {@code pretraining-data} block, or null when methods
 *     pretrain on {@code data}'s training images
 * @param encoder the suite's encoder: every method's and baseline's that does not name its own
 * @param baselineSpecs the baselines in the suite's order, each with its name and encoder
 * @param threads {@code auto} or a thread count for the native maths (ComputeThreads); with several
 *     workers, a fixed count is each entry's
 * @param workers entries run at once, each on a thread of its own (1 = one after the other)
 * @param resolved the fully resolved config (defaults included), written next to the results
 */
public record Suite(
    String name,
    List<Long> seeds,
    Path output,
    DataSettings data,
    DataSettings pretrainingData,
    ComponentSpec encoder,
    TrainingSettings training,
    List<MethodSpec> methods,
    List<BaselineSpec> baselineSpecs,
    EvaluationSettings evaluation,
    String threads,
    int workers,
    Config resolved) {

  /** The baselines every report can include. */
  public static final List<String> KNOWN_BASELINES = List.of("raw-pixels", "random-init", "supervised");

  /** The baselines' names, in the suite's order (what results and reports show). */
  public List<String> baselines() {
    return baselineSpecs.stream().map(BaselineSpec::name).toList();
  }

  /** The encoder {@code method} trains: its own, else the suite's. */
  public ComponentSpec encoderOf(MethodSpec method) {
    return method.encoder() != null ? method.encoder() : encoder;
  }

  /** The encoder {@code baseline} uses: its own, else the suite's; null for raw pixels, which has none. */
  public ComponentSpec encoderOf(BaselineSpec baseline) {
    if (baseline.type().equals(BaselineSpec.RAW_PIXELS)) {
      return null;
    }
    return baseline.encoder() != null ? baseline.encoder() : encoder;
  }

  /**
   * Where images come from and how much of them to use: {@code suite.data} (the labeled dataset
   * the protocols use) or a {@code pretraining-data} block (suite-level or in a method).
   *
   * @param block where the settings live, e.g. {@code suite.pretraining-data}, for messages
   * @param channels 0 = the dataset's own (1 for fashion-mnist, 3 otherwise), 1 = luma, 3 = RGB
   * @param imageSize image-folder whole images: side of the square each is resized to (0 = keep)
   * @param testFraction labeled image folder without train/ and test/: share of each class tested
   * @param heldOut held-out patches, or images of an unlabeled folder (pretraining data only)
   * @param patchSize side of the random patches cut from an image folder (0 = whole images)
   * @param patches number of training patches
   * @param shortSide images are shrunk to this short side before cutting (0 = 4 x patch-size)
   */
  public record DataSettings(String block, String dataset, String source, String path,
      int trainLimit, int testLimit, String labels, int channels, int imageSize,
      double testFraction, int heldOut, int patchSize, int patches, int shortSide) {
    static final List<String> DATASETS = List.of("fashion-mnist", "cifar10", "image-folder");
    static final List<String> SOURCES = List.of("embedded", "full");
    static final List<String> LABELS = List.of("folders", "none");

    /** The default {@code suite.data}: the embedded Fashion-MNIST sample. */
    public static DataSettings defaults() {
      return new DataSettings("suite.data", "fashion-mnist", "embedded", "", 0, 0, "folders", 0, 0,
          0.2, 0, 0, 0, 0);
    }

    /**
     * Reads and checks a data block.
     *
     * @param c the block with defaults filled in
     * @param user the keys the user set in this block (dataset-specific keys are rejected for
     *     other datasets only when set)
     * @param pretraining whether this is a pretraining-data block (unlabeled allowed, patch keys)
     */
    static DataSettings from(Config c, Config user, String block, boolean pretraining) {
      String dataset = oneOf(c, block, "dataset", DATASETS);
      boolean folder = dataset.equals("image-folder");
      onlyFor(user, block, "source", dataset.equals("fashion-mnist"), "dataset = fashion-mnist");
      for (String key : List.of("labels", "image-size", "test-fraction")) {
        onlyFor(user, block, key, folder, "dataset = image-folder");
      }
      String source = oneOf(c, block, "source", SOURCES);
      String labels = oneOf(c, block, "labels", LABELS);
      if (!pretraining && folder && labels.equals("none")) {
        throw bad(c, block, "labels", "the protocols need labels: " + block + " must be a labeled"
            + " image folder (labels = folders); an unlabeled folder can only be pretraining-data");
      }
      int channels = intIn(c, block, "channels", 0, 3);
      if (channels == 2) {
        throw bad(c, block, "channels", "must be 0 (the dataset's own), 1 (luma) or 3 (RGB), got 2");
      }
      String path = c.getString("path");
      if (folder && path.isBlank()) {
        throw bad(c, block, "path", "dataset = image-folder needs path = <folder of PNG/JPEG files>");
      }
      int patchSize = pretraining ? intIn(c, block, "patch-size", 0, 1024) : 0;
      if (patchSize == 1) {
        throw bad(c, block, "patch-size", "must be 0 (whole images) or at least 2, got 1");
      }
      int patches = pretraining ? intIn(c, block, "patches", 1, 10_000_000) : 0;
      int shortSide = pretraining ? intIn(c, block, "short-side", 0, 100_000) : 0;
      if (patchSize > 0) {
        if (!folder) {
          throw bad(c, block, "patch-size", "patches are cut from an image folder only; set"
              + " dataset = image-folder or patch-size = 0");
        }
        if (shortSide > 0 && shortSide < patchSize) {
          throw bad(c, block, "short-side", "must be 0 (automatic) or at least patch-size "
              + patchSize + ", got " + shortSide);
        }
        for (String key : List.of("train-limit", "test-limit", "image-size")) {
          if (user != null && user.hasPath(key)) {
            throw bad(c, block, key, "does not apply when patch-size > 0 (patches and held-out"
                + " count the patches)");
          }
        }
      }
      return new DataSettings(block, dataset, source, path,
          intIn(c, block, "train-limit", 0, Integer.MAX_VALUE),
          intIn(c, block, "test-limit", 0, Integer.MAX_VALUE),
          labels, channels,
          intIn(c, block, "image-size", 0, 8192),
          doubleIn(c, block, "test-fraction", 0.01, 0.9),
          pretraining ? intIn(c, block, "held-out", 0, 1_000_000) : 0,
          patchSize, patches, shortSide);
    }

    /** The channel count of the loaded images. */
    public int effectiveChannels() {
      return channels != 0 ? channels : dataset.equals("fashion-mnist") ? 1 : 3;
    }

    /**
     * The shape of one image as far as the settings tell. An image folder of whole images that
     * are not resized has the size of its files, unknown until they are read; then a 32 x 32
     * stand-in is returned (used to create components during validation only; the runner uses
     * the shape of the loaded images).
     */
    public ImageShape shape() {
      int c = effectiveChannels();
      return switch (dataset) {
        case "fashion-mnist" -> new ImageShape(c, 28, 28);
        case "cifar10" -> new ImageShape(c, 32, 32);
        default -> patchSize > 0 ? new ImageShape(c, patchSize, patchSize)
            : imageSize > 0 ? new ImageShape(c, imageSize, imageSize) : new ImageShape(c, 32, 32);
      };
    }

    /** A short description for logs and results, e.g. {@code image-folder /photos (patches 28)}. */
    public String summary() {
      StringBuilder sb = new StringBuilder(dataset);
      if (dataset.equals("fashion-mnist")) {
        sb.append(' ').append(source);
      }
      if (!path.isBlank()) {
        sb.append(' ').append(path);
      }
      if (patchSize > 0) {
        sb.append(", ").append(patches).append(" patches ").append(patchSize).append('x')
            .append(patchSize);
      }
      return sb.append(", ").append(effectiveChannels()).append(effectiveChannels() == 1
          ? " channel" : " channels").toString();
    }

    private static void onlyFor(Config user, String block, String key, boolean applies,
        String where) {
      if (!applies && user != null && user.hasPath(key)) {
        throw new ConfigException.BadValue(user.getValue(key).origin(), block + "." + key,
            "applies only to " + where);
      }
    }

    private static String oneOf(Config c, String block, String key, List<String> allowed) {
      String v = c.getString(key);
      if (!allowed.contains(v)) {
        String hint = Suggestions.closest(v, allowed).map(x -> "did you mean '" + x + "'? ")
            .orElse("");
        throw bad(c, block, key, "'" + v + "' is not allowed; " + hint + "allowed: "
            + String.join(", ", allowed));
      }
      return v;
    }

    private static int intIn(Config c, String block, String key, int min, int max) {
      int v = c.getInt(key);
      if (v < min || v > max) {
        throw bad(c, block, key, "must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    }

    private static double doubleIn(Config c, String block, String key, double min, double max) {
      double v = c.getDouble(key);
      if (!(v >= min && v <= max)) {
        throw bad(c, block, key, "must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    }

    private static ConfigException bad(Config c, String block, String key, String message) {
      return new ConfigException.BadValue(c.getValue(key).origin(), block + "." + key, message);
    }
  }

  /** How the learning rate moves over pretraining. */
  public enum Schedule {
    /** The configured rate throughout. */
    CONSTANT,
    /** Linear warm-up, then a half cosine down to 0 at the last step. */
    COSINE;

    static Schedule from(Config c, String key) {
      return valueOf(Settings.oneOf(c, key, List.of("constant", "cosine")).toUpperCase(java.util.Locale.ROOT));
    }
  }

  /**
   * The pretraining budget and optimizer.
   *
   * @param warmupEpochs epochs (may be fractional) of linear warm-up before the cosine decay
   */
  public record TrainingSettings(
      int epochs, int batchSize, double learningRate, double weightDecay, int prefetchBatches,
      long maxSteps, Schedule schedule, double warmupEpochs) {

    /** Constant learning rate, no warm-up. */
    public TrainingSettings(int epochs, int batchSize, double learningRate, double weightDecay,
        int prefetchBatches, long maxSteps) {
      this(epochs, batchSize, learningRate, weightDecay, prefetchBatches, maxSteps, Schedule.CONSTANT, 0);
    }

    static TrainingSettings from(Config c) {
      int epochs = Settings.intIn(c, "epochs", 1, 100_000);
      return new TrainingSettings(
          epochs,
          Settings.intIn(c, "batch-size", 2, 65_536),
          Settings.doubleIn(c, "learning-rate", 1e-8, 10),
          Settings.doubleIn(c, "weight-decay", 0, 1),
          Settings.intIn(c, "prefetch-batches", 1, 64),
          Settings.intIn(c, "max-steps", 0, Integer.MAX_VALUE),
          Schedule.from(c, "schedule"),
          Settings.doubleIn(c, "warmup-epochs", 0, epochs));
    }
  }

  /**
   * How the frozen representations are evaluated.
   *
   * @param labelFractions fractions of the training labels for extra linear probes (1 = all, the
   *     main probe, always run)
   */
  public record EvaluationSettings(
      int calibrationBatches, ProbeSettings linearProbe, KnnSettings knn, List<Double> labelFractions,
      FineTuneSettings fineTune, SegmentationSettings segmentation) {

    /** Without the segmentation protocol. */
    public EvaluationSettings(int calibrationBatches, ProbeSettings linearProbe, KnnSettings knn,
        List<Double> labelFractions, FineTuneSettings fineTune) {
      this(calibrationBatches, linearProbe, knn, labelFractions, fineTune, SegmentationSettings.off());
    }

    /** The same settings with {@code segmentation}. */
    EvaluationSettings with(SegmentationSettings segmentation) {
      return new EvaluationSettings(calibrationBatches, linearProbe, knn, labelFractions, fineTune, segmentation);
    }

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
          List.copyOf(fractions),
          FineTuneSettings.from(c.getConfig("fine-tune")));
    }
  }

  /**
   * Fine-tuning: the pretrained encoder unfrozen with a new linear head, trained on stratified
   * fractions of the labels; one run per fraction (none when {@code fractions} is empty).
   */
  public record FineTuneSettings(
      List<Double> fractions, int epochs, int minSteps, int batchSize, double learningRate, Head head) {

    /** Where the linear head starts: at random, or from a linear probe fitted on the same labels (LP-FT). */
    public enum Head { RANDOM, PROBE }

    /** A fresh random head, as standard.conf's table was made. */
    public FineTuneSettings(List<Double> fractions, int epochs, int minSteps, int batchSize, double learningRate) {
      this(fractions, epochs, minSteps, batchSize, learningRate, Head.RANDOM);
    }

    static FineTuneSettings from(Config c) {
      List<Double> fractions = c.getDoubleList("fractions");
      for (double f : fractions) {
        if (!(f > 0 && f <= 1)) {
          throw new com.typesafe.config.ConfigException.BadValue(c.getValue("fractions").origin(),
              "suite.evaluation.fine-tune.fractions", "each fraction must be in (0, 1], got " + f);
        }
      }
      return new FineTuneSettings(List.copyOf(fractions),
          Settings.intIn(c, "epochs", 1, 10_000),
          Settings.intIn(c, "min-steps", 0, 10_000_000),
          Settings.intIn(c, "batch-size", 2, 65_536),
          Settings.doubleIn(c, "learning-rate", 1e-8, 10),
          head(c));
    }

    private static Head head(Config c) {
      String head = c.getString("head");
      return switch (head) {
        case "random" -> Head.RANDOM;
        case "probe" -> Head.PROBE;
        default -> throw new com.typesafe.config.ConfigException.BadValue(c.getValue("head").origin(),
            "suite.evaluation.fine-tune.head", "must be random or probe, got '" + head + "'");
      };
    }

    /** Whether any fine-tuning runs. */
    public boolean enabled() {
      return !fractions.isEmpty();
    }
  }

  /**
   * The linear probe's L2 and how it is chosen. The probe is solved to its optimum
   * ({@code LinearProbe}); {@code epochs}, {@code minSteps}, {@code batchSize}, {@code learningRate},
   * {@code validationChecks} and {@code patience} set the budget of the epoch-trained probe it
   * replaced and are ignored, kept so that existing suites and result folders still load (and a
   * change to them is still a change of {@code suite.evaluation}).
   *
   * @param l2 the L2 penalty of a probe that chooses nothing (validation off, or too few labels)
   * @param l2Candidates the L2 penalties chosen among on validation
   * @param validationFraction stratified share of the labeled train images held out to choose the
   *     L2 (0: no choice, the probe is fitted at {@code l2})
   * @param minValidationImages fewer held-out images than this choose by noise more than by
   *     signal: such probes are fitted at {@code l2}
   */
  public record ProbeSettings(int epochs, int minSteps, int batchSize, double learningRate, double l2,
      List<Double> l2Candidates, double validationFraction, int minValidationImages, int validationChecks,
      int patience) {

    public ProbeSettings {
      l2Candidates = List.copyOf(l2Candidates);
    }

    /** A fixed probe: one L2, nothing chosen. */
    public ProbeSettings(int epochs, int minSteps, int batchSize, double learningRate, double l2) {
      this(epochs, minSteps, batchSize, learningRate, l2, List.of(l2), 0, 1, 1, 1);
    }

    /** Whether the L2 is chosen on a validation split (given enough labels). */
    public boolean selects() {
      return validationFraction > 0;
    }

    static ProbeSettings from(Config c) {
      List<Double> candidates = c.getDoubleList("l2-candidates");
      if (candidates.isEmpty()) {
        throw Settings.bad(c, "l2-candidates", "needs at least one value");
      }
      for (double v : candidates) {
        if (!(v >= 0 && v <= 10)) {
          throw Settings.bad(c, "l2-candidates", "each value must be between 0 and 10, got " + v);
        }
      }
      return new ProbeSettings(
          Settings.intIn(c, "epochs", 1, 10_000),
          Settings.intIn(c, "min-steps", 0, 10_000_000),
          Settings.intIn(c, "batch-size", 1, 65_536),
          Settings.doubleIn(c, "learning-rate", 1e-8, 10),
          Settings.doubleIn(c, "l2", 0, 10),
          candidates,
          Settings.doubleIn(c, "validation-fraction", 0, 0.5),
          Settings.intIn(c, "min-validation-images", 1, 10_000_000),
          Settings.intIn(c, "validation-checks", 1, 10_000),
          Settings.intIn(c, "patience", 1, 10_000));
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
  public record ComponentSpec(String type, Config settings, String path) {

    /**
     * The type and the settings written for it, for results: {@code conv4}, or
     * {@code conv4 channels=[16,32]} when settings were written.
     */
    public String describe() {
      Config own = settings.withoutPath("type");
      if (own.isEmpty()) {
        return type;
      }
      // HOCON renders a root object without its braces: "channels=[16,32],pooled-blocks=2".
      String rendered = own.root().render(com.typesafe.config.ConfigRenderOptions.concise().setJson(false));
      return type + " " + rendered.replace(",", ", ");
    }
  }

  /**
   * One method to pretrain.
   *
   * @param name display name, unique in the suite (defaults to the task type)
   * @param pretrainingData the data this method pretrains on (its own block, else the suite's),
   *     or null for the training images of {@code suite.data}
   * @param encoder the method's own {@code encoder { … }}, replacing the suite's entirely; null when
   *     it trains the suite's ({@link Suite#encoderOf(MethodSpec)})
   * @param sweep the point of {@code suite.sweep} this entry is, or null for a method as written
   */
  public record MethodSpec(String name, ComponentSpec task, TrainingSettings training,
      DataSettings pretrainingData, ComponentSpec encoder, SweepPoint sweep) {

    /** A method as written (not a sweep point). */
    public MethodSpec(String name, ComponentSpec task, TrainingSettings training,
        DataSettings pretrainingData, ComponentSpec encoder) {
      this(name, task, training, pretrainingData, encoder, null);
    }

    /** A method training the suite's encoder. */
    public MethodSpec(String name, ComponentSpec task, TrainingSettings training, DataSettings pretrainingData) {
      this(name, task, training, pretrainingData, null, null);
    }
  }

  /**
   * One point of a sweep: the method entry it was expanded from and its value of each swept key.
   *
   * @param method the swept method's name (its {@code name}, else its type)
   * @param keys the swept keys, in full ({@code simclr.loss.temperature}), in the order of {@code values}
   * @param values short name of each swept key ({@code temperature}) → this point's value as written
   */
  public record SweepPoint(String method, List<String> keys, java.util.Map<String, String> values) {
    public SweepPoint {
      keys = List.copyOf(keys);
      values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
  }

  /**
   * One baseline: a name from {@link #KNOWN_BASELINES}, or {@code { type, name, encoder }}.
   *
   * @param name what results, kept encoders and {@code --method} call it, unique in the suite
   * @param type {@code raw-pixels}, {@code random-init} or {@code supervised}
   * @param encoder its own encoder, replacing the suite's entirely; null for the suite's (and for
   *     raw pixels, which has none)
   */
  public record BaselineSpec(String name, String type, ComponentSpec encoder) {
    public static final String RAW_PIXELS = "raw-pixels";
    public static final String RANDOM_INIT = "random-init";
    public static final String SUPERVISED = "supervised";

    /** A baseline written as a name: the suite's encoder. */
    public static BaselineSpec named(String type) {
      return new BaselineSpec(type, type, null);
    }
  }
}
