package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.Stratified;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.Checkpoints;
import dev.pretext.runtime.training.LinearHead;
import dev.pretext.runtime.training.SupervisedTask;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fine-tuning protocol: the encoder, unfrozen, with a new linear head trained end to end on a
 * stratified, seeded fraction of the training labels, then scored on the whole test split.
 * Started from a pretrained encoder it measures what pretraining gives a network that is trained
 * further; started from random weights it is the from-scratch reference at the same labels.
 */
public final class FineTune {

  private static final int BATCH = 256;

  private FineTune() {}

  /** What every fine-tune metric group name starts with. */
  public static final String KEY_PREFIX = "fine_tune";

  /** The metric group name at a fraction of the labels, e.g. {@code fine_tune_1pct}; all labels: {@code fine_tune}. */
  public static String key(double fraction) {
    if (fraction >= 1) {
      return KEY_PREFIX;
    }
    return Protocols.fractionKey(fraction).replace("linear_probe", "fine_tune");
  }

  /**
   * Fine-tunes at every configured fraction.
   *
   * @param encoders creates the suite's encoder, untrained, once per fraction
   * @param pretrained graph holding the encoder's weights under the encoder scope, or null to start
   *     from the encoder's random initialization
   * @param representation the pretext task whose representation of the images the head sits on
   *     (null: the encoder's own, for the random-init baseline)
   * @param work folder for the runs' checkpoints; removed when each run is scored
   * @return {@link #key} → {@code top1}/{@code top5}
   */
  public static Map<String, Map<String, Double>> run(TrainingEngine engine, String name,
      Supplier<Encoder> encoders, SameDiff pretrained, PretextTask representation,
      ImageSet train, ImageSet test, Suite.FineTuneSettings settings,
      int calibrationBatches, long seed, Path work) {
    return run(engine, name, encoders, pretrained, representation, train, test, settings,
        null, null, calibrationBatches, seed, work);
  }

  /**
   * As above; with {@code head = probe} each run's head starts from a linear probe fitted on
   * {@code trainFeatures}' rows of its labeled images (LP-FT).
   *
   * @param trainFeatures the frozen encoder's features of every training image, {@code [N, D]};
   *     needed only for {@code head = probe}
   * @param probe the probe's optimizer settings, for {@code head = probe}
   */
  public static Map<String, Map<String, Double>> run(TrainingEngine engine, String name,
      Supplier<Encoder> encoders, SameDiff pretrained, PretextTask representation,
      ImageSet train, ImageSet test, Suite.FineTuneSettings settings,
      INDArray trainFeatures, Suite.ProbeSettings probe, int calibrationBatches, long seed, Path work) {
    boolean fromProbe = settings.head() == Suite.FineTuneSettings.Head.PROBE;
    if (fromProbe && (trainFeatures == null || probe == null || trainFeatures.rows() != train.size())) {
      throw new IllegalArgumentException("fine-tune.head = probe needs the frozen features of all "
          + train.size() + " training images");
    }
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    int classes = train.classNames().size();
    for (double fraction : settings.fractions()) {
      int[] rows = fraction >= 1 ? null : Stratified.indices(train.labels(),
          Math.max(classes, (int) Math.round(fraction * train.size())), seed + 7919);
      ImageSet labeled = rows == null ? train : train.subset(rows);
      LinearHead head = fromProbe ? startingHead(trainFeatures, rows, labeled.labels(), classes, probe, seed) : null;
      SupervisedTask task = new SupervisedTask(classes, pretrained, representation, head);
      String runName = name + " " + key(fraction).replace('_', '-');
      Path folder = work.resolve(key(fraction));
      TrainedMethod trained = engine.train(new TrainingEngine.Run(runName, task, encoders.get(),
          labeled, budget(settings, labeled.size()), seed, folder, false));
      FrozenEncoder network = FrozenEncoder.supervised(trained);
      network.calibrate(labeled, calibrationBatches, BATCH, seed);
      INDArray logits = network.outputs(test, task.logitsName(), classes, BATCH);
      LinearProbe.Result score = LinearProbe.score(logits, test.labels());
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("top1", score.top1());
      m.put("top5", score.top5());
      metrics.put(key(fraction), m);
      try {
        Checkpoints.deleteRecursively(folder);
      } catch (IOException e) {
        throw new UncheckedIOException("removing fine-tune checkpoint " + folder, e);
      }
    }
    return metrics;
  }

  /** A linear probe on the labeled rows' frozen features, as a head on raw features. */
  static LinearHead startingHead(INDArray trainFeatures, int[] rows, int[] labels, int classes,
      Suite.ProbeSettings probe, long seed) {
    INDArray features = rows == null ? trainFeatures : Nd4j.pullRows(trainFeatures, 1, rows);
    return LinearProbe.fit(features, labels, classes, probe, seed).head();
  }

  /**
   * The training budget for {@code size} labeled images: the configured epochs, stretched so the
   * run takes at least {@code min-steps} steps (1 % of the labels is a handful of batches).
   */
  static Suite.TrainingSettings budget(Suite.FineTuneSettings s, int size) {
    int perEpoch = Math.max(1, size / Math.min(s.batchSize(), size));
    int epochs = Math.max(s.epochs(), (s.minSteps() + perEpoch - 1) / perEpoch);
    return new Suite.TrainingSettings(epochs, s.batchSize(), s.learningRate(), 0.0, 4, 0);
  }
}
