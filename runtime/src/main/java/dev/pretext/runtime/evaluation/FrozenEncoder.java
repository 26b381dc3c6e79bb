package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.ComputeThreads;
import dev.pretext.runtime.training.NativeMemory;
import dev.pretext.runtime.training.SupervisedTask;
import dev.pretext.runtime.training.TrainedMethod;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An encoder whose weights no longer change, ready to turn images into representations: a graph
 * from whole images to a representation. Batch-norm layers are first calibrated ("precise BN"):
 * their batch statistics are averaged over training batches and written into the running constants
 * used at inference.
 */
public final class FrozenEncoder {

  private final SameDiff graph;
  private final String input;
  private final String representation;
  private final long size;
  private final List<String> batchStatistics;
  private final List<String> runningStatistics;

  private FrozenEncoder(SameDiff graph, String input, String representation, long size, List<String> batchStatistics,
      List<String> runningStatistics) {
    this.graph = graph;
    this.input = input;
    this.representation = representation;
    this.size = size;
    this.batchStatistics = batchStatistics;
    this.runningStatistics = runningStatistics;
  }

  /** An evaluation graph, to calibrate. */
  public static FrozenEncoder of(RepresentationGraph g) {
    return new FrozenEncoder(g.graph(), g.input(), g.output(), g.size(),
        g.batchStatistics().stream().map(GraphBuilder.BatchStatistic::batchVariable).toList(),
        g.batchStatistics().stream().map(GraphBuilder.BatchStatistic::runningConstant).toList());
  }

  /**
   * The representation of a pretrained method: its task's evaluation graph for images of {@code
   * shape}, with the trained encoder's weights.
   *
   * @param encoder the method's encoder, as it was created for pretraining
   */
  public static FrozenEncoder pretrained(TrainedMethod method, Encoder encoder, ImageShape shape, long seed) {
    return of(RepresentationGraph.build(encoder, method.task(), shape, seed).withEncoderOf(method.graph()));
  }

  /**
   * A network trained on labeled images ({@link SupervisedTask}: the supervised baseline, a
   * fine-tuning run), whose graph takes the images as they are.
   */
  public static FrozenEncoder supervised(TrainedMethod method) {
    return new FrozenEncoder(method.graph(), SupervisedTask.IMAGES, method.taskGraph().representation(),
        method.taskGraph().representationSize(), method.batchStatistics(), method.runningStatistics());
  }

  /**
   * An encoder rebuilt on its own from a run folder (input → representation): its batch norm was
   * calibrated before it was kept, so {@link #calibrate} leaves it as it is.
   */
  public static FrozenEncoder kept(SameDiff graph, String input, String representation, long size) {
    return new FrozenEncoder(graph, input, representation, size, List.of(), List.of());
  }

  /** The encoder with freshly initialized weights: the random-init baseline. */
  public static FrozenEncoder untrained(Encoder encoder, ImageShape shape, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return of(RepresentationGraph.build(encoder, null, shape, seed));
  }

  /** Representation width D. */
  public long size() {
    return size;
  }

  /** Averages batch statistics over {@code batches} seeded batches of {@code data}. */
  public void calibrate(ImageSet data, int batches, int batchSize, long seed) {
    calibrate(graph, batchStatistics, runningStatistics, data, batches, batchSize, seed,
        images -> Map.of(input, images));
  }

  /**
   * Calibrates every batch-norm layer of a pretrained method's own graph (its heads, the encoder's
   * other applications such as jigsaw's tiles) on batches its task prepares from {@code images},
   * the images it pretrained on: what {@code writeVisuals} and {@code pretextMetrics} see.
   */
  public static void calibrateTrainingGraph(TrainedMethod method, ImageSet images, int batches, int batchSize,
      long seed) {
    Random augmentation = new Random(seed ^ 0x9EE7A5L);
    // prepare may give arrays that beforeStep consumes and the graph lacks (MoCo's key views).
    java.util.Set<String> placeholders = java.util.Set.copyOf(method.graph().inputs());
    calibrate(method.graph(), method.batchStatistics(), method.runningStatistics(), images, batches, batchSize,
        seed, batch -> {
          Map<String, INDArray> feed = new java.util.HashMap<>(method.task().prepare(batch, augmentation));
          feed.keySet().retainAll(placeholders);
          return feed;
        });
  }

  /**
   * Writes this encoder's running batch-norm statistics into {@code other} by name: into the trained
   * graph once calibrated here, so the graph that is kept (and exported later) holds exactly the
   * representation the protocols measured.
   */
  public void copyStatisticsInto(SameDiff other) {
    for (String name : runningStatistics) {
      if (!other.hasVariable(name) || other.getVariable(name).getArr() == null) {
        throw new IllegalStateException("the trained graph has no batch-norm statistic '" + name + "' of the"
            + " evaluated representation (a task must apply its evaluated encoder as EncoderModule.MAIN under the"
            + " scope '" + GraphBuilder.ENCODER_SCOPE + "')");
      }
      other.getVariable(name).getArr().assign(graph.getVariable(name).getArr());
    }
  }

  private static void calibrate(SameDiff graph, List<String> batchStatistics, List<String> runningStatistics,
      ImageSet data, int batches, int batchSize, long seed, Function<INDArray, Map<String, INDArray>> feed) {
    setTraining(graph, true);
    if (!batchStatistics.isEmpty()) {
      INDArray[] sums = new INDArray[batchStatistics.size()];
      Random random = new Random(seed ^ 0xCA1B7A7EL);
      int n = Math.min(batchSize, data.size());
      for (int b = 0; b < batches; b++) {
        int[] idx = random.ints(n, 0, data.size()).toArray();
        Map<String, INDArray> out = graph.output(feed.apply(data.batch(idx)),
            batchStatistics.toArray(String[]::new));
        for (int i = 0; i < sums.length; i++) {
          INDArray v = out.get(batchStatistics.get(i));
          sums[i] = sums[i] == null ? v.dup() : sums[i].addi(v);
        }
      }
      for (int i = 0; i < sums.length; i++) {
        graph.getVariable(runningStatistics.get(i)).setArray(sums[i].divi(batches));
      }
    }
    setTraining(graph, false);
  }

  /** Representations {@code [N, D]} of every image of {@code data}, in order. */
  public INDArray represent(ImageSet data, int batchSize) {
    return outputs(data, representation, size, batchSize);
  }

  /**
   * Any {@code [N, width]} variable of the graph computed for every image of {@code data}, in
   * inference mode, e.g. a fine-tuned network's logits.
   */
  public INDArray outputs(ImageSet data, String variable, long width, int batchSize) {
    setTraining(graph, false);
    INDArray result = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, data.size(), width);
    for (int start = 0; start < data.size(); start += batchSize) {
      int end = Math.min(data.size(), start + batchSize);
      // A batch of one would make batch-norm's (unused) batch reductions fail in M2.1: pad it.
      int[] idx = end - start == 1 ? new int[] {start, start} : java.util.stream.IntStream.range(start, end).toArray();
      INDArray rep = graph.output(Map.of(input, data.batch(idx)), variable).get(variable);
      NativeMemory.releaseGarbageIfGrown();
      ComputeThreads.adjust();
      result.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end),
          org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(
              rep.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, end - start),
                  org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }
    return result;
  }

  private static void setTraining(SameDiff graph, boolean training) {
    graph.getVariable(GraphBuilder.TRAINING_FLAG).setArray(
        Nd4j.scalar(org.nd4j.linalg.api.buffer.DataType.FLOAT, training ? 1f : 0f));
  }
}
