package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.SegmentationSet;
import dev.pretext.runtime.training.Checkpoints;
import dev.pretext.runtime.training.NativeMemory;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fine-tuned variant of the segmentation protocol: the entry's encoder, unfrozen, with a 1 × 1
 * convolution on the chosen stages ({@link SegmentationFineTuneTask}) trained end to end on the
 * train scenes by the training engine (Adam, batch norm on batch statistics), then batch norm
 * calibrated on train scenes as the frozen probe's encoder is, and every test pixel scored by the
 * frozen probe's own tally and scores. Started from a trained encoder it asks what those weights
 * give a segmenter trained further; from random weights it is a segmenter trained from scratch.
 */
public final class SegmentationFineTune {

  /** Test scenes per inference batch. */
  private static final int BATCH = 50;
  /** Scenes per calibration batch, as the frozen probe's. */
  private static final int CALIBRATION_BATCH = 256;

  private SegmentationFineTune() {}

  /**
   * What fine-tuning measured.
   *
   * @param scores the frozen probe's scores on the test scenes (no L2 choice)
   * @param steps Adam steps taken
   * @param epochLosses mean training loss per epoch
   * @param trainPixels labelled pixels of the train scenes
   */
  public record Result(SegmentationProbe.Result scores, long steps, List<Double> epochLosses, long trainPixels) {}

  /**
   * Fine-tunes and scores.
   *
   * @param encoders creates the entry's encoder, untrained (twice: once to read its maps' shapes)
   * @param pretrained graph holding the encoder's trained weights under the encoder scope; null:
   *     the encoder's own initialization from {@code seed} (training from scratch)
   * @param work folder for the run's checkpoints, removed once it is scored
   */
  public static Result run(TrainingEngine engine, String name, Supplier<Encoder> encoders, SameDiff pretrained,
      SegmentationSet train, SegmentationSet test, SegmentationSettings settings, int calibrationBatches, long seed,
      Path work) {
    SegmentationSettings.FineTune fineTune = settings.fineTune();
    // The chosen maps' shapes on these scenes, through the frozen probe's own graph and its checks.
    List<long[]> shapes = EncoderFeatureMaps.build(encoders.get(), train.shape(), settings, seed)
        .of(train.batch(new int[] {0, 0})).stream().map(m -> Arrays.copyOfRange(m.shape(), 1, 4)).toList();
    SegmentationFineTuneTask task = new SegmentationFineTuneTask(train, settings, shapes, pretrained);
    TrainedMethod trained = engine.train(new TrainingEngine.Run(name + " segmentation fine-tune", task,
        encoders.get(), train.images(), new Suite.TrainingSettings(fineTune.epochs(), fineTune.batchSize(),
            fineTune.learningRate(), 0.0, 4, 0), seed, work, false));
    FrozenEncoder.supervised(trained).calibrate(train.images(), calibrationBatches, CALIBRATION_BATCH, seed);
    SameDiff graph = trained.graph();
    graph.getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(DataType.FLOAT, 0f));
    SegmentationProbe.Tally tally = SegmentationProbe.tally(test, settings.pictures(), BATCH,
        idx -> predict(graph, task.logitsName(), test, idx));
    long[] counts = train.pixelCounts();
    SegmentationProbe.Result scores = SegmentationProbe.score(tally.confusion(), train.classNames(), null,
        (int) Math.min(Integer.MAX_VALUE, Arrays.stream(counts).sum()), tally.pictures());
    try {
      Checkpoints.deleteRecursively(work);
    } catch (IOException e) {
      throw new UncheckedIOException("removing the segmentation fine-tune checkpoint " + work, e);
    }
    return new Result(scores, trained.steps(), trained.epochLosses(), Arrays.stream(counts).sum());
  }

  /** The most likely class of every pixel of the scenes at {@code idx} ({@code B·H·W}, row-major per scene). */
  private static int[] predict(SameDiff graph, String logits, SegmentationSet scenes, int[] idx) {
    // A batch of one would make batch-norm's (unused) batch reductions fail in M2.1: pad it.
    int[] feed = idx.length == 1 ? new int[] {idx[0], idx[0]} : idx;
    INDArray out = graph.output(Map.of(SegmentationFineTuneTask.IMAGES, scenes.batch(feed)), logits).get(logits);
    INDArray classes = out.argMax(1).get(NDArrayIndex.interval(0, idx.length)).castTo(DataType.INT32).dup('c');
    int[] predicted = classes.data().asInt();
    NativeMemory.releaseGarbageIfGrown();
    return predicted;
  }
}
