package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.ComputeThreads;
import dev.pretext.runtime.training.NativeMemory;
import dev.pretext.runtime.training.TrainedMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An encoder whose weights no longer change, ready to turn images into representations.
 * Batch-norm layers are first calibrated ("precise BN"): their batch statistics are averaged over
 * training batches and written into the running constants used at inference.
 */
public final class FrozenEncoder {

  private final SameDiff graph;
  private final String representation;
  private final long size;
  private final List<String> batchStatistics;
  private final List<String> runningStatistics;
  private final Function<INDArray, Map<String, INDArray>> feed;

  private FrozenEncoder(SameDiff graph, String representation, long size, List<String> batchStatistics,
      List<String> runningStatistics, Function<INDArray, Map<String, INDArray>> feed) {
    this.graph = graph;
    this.representation = representation;
    this.size = size;
    this.batchStatistics = batchStatistics;
    this.runningStatistics = runningStatistics;
    this.feed = feed;
  }

  /** The encoder of a pretrained method. */
  public static FrozenEncoder of(TrainedMethod method) {
    PretextTask.TaskGraph tg = method.taskGraph();
    return new FrozenEncoder(method.graph(), tg.representation(), tg.representationSize(),
        method.batchStatistics(), method.runningStatistics(),
        images -> method.task().prepareForRepresentation(tg, images));
  }

  /**
   * An encoder rebuilt on its own from a run folder (input → representation): its batch norm was
   * calibrated before it was kept, so {@link #calibrate} leaves it as it is.
   */
  public static FrozenEncoder kept(SameDiff graph, String input, String representation, long size) {
    return new FrozenEncoder(graph, representation, size, List.of(), List.of(), x -> Map.of(input, x));
  }

  /** The encoder with freshly initialized weights: the random-init baseline. */
  public static FrozenEncoder untrained(Encoder encoder, ImageShape shape, long seed) {
    Nd4j.getRandom().setSeed(seed);
    GraphBuilder builder = GraphBuilder.create(seed);
    SDVariable images = builder.placeholder("images", shape.batchShape());
    Encoder.Representation rep = encoder.build(builder.scope("encoder"), images, shape);
    List<String> batch = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (GraphBuilder.BatchStatistic s : builder.batchStatistics()) {
      batch.add(s.batchVariable());
      running.add(s.runningConstant());
    }
    String input = images.name();
    return new FrozenEncoder(builder.sameDiff(), rep.variable().name(), rep.size(), batch, running,
        x -> Map.of(input, x));
  }

  /** Representation width D. */
  public long size() {
    return size;
  }

  /** Averages batch statistics over {@code batches} seeded batches of {@code data}. */
  public void calibrate(ImageSet data, int batches, int batchSize, long seed) {
    setTraining(true);
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
    setTraining(false);
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
    setTraining(false);
    INDArray result = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, data.size(), width);
    for (int start = 0; start < data.size(); start += batchSize) {
      int end = Math.min(data.size(), start + batchSize);
      // A batch of one would make batch-norm's (unused) batch reductions fail in M2.1: pad it.
      int[] idx = end - start == 1 ? new int[] {start, start} : java.util.stream.IntStream.range(start, end).toArray();
      INDArray rep = graph.output(feed.apply(data.batch(idx)), variable).get(variable);
      NativeMemory.releaseGarbageIfGrown();
      ComputeThreads.adjust();
      result.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end),
          org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(
              rep.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, end - start),
                  org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }
    return result;
  }

  private void setTraining(boolean training) {
    graph.getVariable(GraphBuilder.TRAINING_FLAG).setArray(
        Nd4j.scalar(org.nd4j.linalg.api.buffer.DataType.FLOAT, training ? 1f : 0f));
  }
}
