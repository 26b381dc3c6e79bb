package dev.pretext.runtime.evaluation;

import dev.pretext.api.GraphRunner;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.training.ComputeThreads;
import dev.pretext.runtime.training.NativeMemory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The runtime's {@link GraphRunner}: splits the items into ⌈N / batch size⌉ batches of nearly equal
 * size, sets the graph's training flag for the mode and restores it after, duplicates a batch of
 * one image and keeps the first row.
 */
public final class BatchedGraphRunner implements GraphRunner {

  private final int batchSize;

  /** @param batchSize the largest batch; the method's training batch size */
  public BatchedGraphRunner(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  @Override
  public Map<String, INDArray> infer(SameDiff graph, Map<String, INDArray> inputs, String... outputs) {
    return run(graph, inputs, outputs, 0f);
  }

  @Override
  public Map<String, INDArray> inferWithBatchStatistics(SameDiff graph, Map<String, INDArray> inputs,
      String... outputs) {
    return run(graph, inputs, outputs, 1f);
  }

  private Map<String, INDArray> run(SameDiff graph, Map<String, INDArray> inputs, String[] outputs,
      float trainingFlag) {
    if (outputs.length == 0) {
      throw new IllegalArgumentException("name at least one output to infer");
    }
    long items = items(inputs);
    INDArray flag = graph.hasVariable(GraphBuilder.TRAINING_FLAG)
        ? graph.getVariable(GraphBuilder.TRAINING_FLAG).getArr() : null;
    float before = flag == null ? 0f : flag.getFloat(0);
    if (flag != null) {
      flag.assign(trainingFlag);
    }
    try {
      Map<String, INDArray> results = new LinkedHashMap<>();
      long batches = (items + batchSize - 1) / batchSize;
      for (long b = 0; b < batches; b++) {
        long start = b * items / batches;
        long end = (b + 1) * items / batches;
        Map<String, INDArray> batch = new LinkedHashMap<>();
        inputs.forEach((name, array) -> batch.put(name, rows(array, start, end)));
        Map<String, INDArray> out = graph.output(batch, outputs);
        for (String name : outputs) {
          INDArray value = out.get(name);
          if (value.rank() == 0 || value.size(0) != Math.max(2, end - start)) {
            throw new IllegalArgumentException("output '" + name + "' has shape " + Arrays.toString(value.shape())
                + " for a batch of " + Math.max(2, end - start) + ": infer returns outputs with one row per item");
          }
          INDArray kept = value.get(firstRows(value.rank(), 0, end - start));
          results.computeIfAbsent(name, n -> Nd4j.create(value.dataType(), withRows(value.shape(), items)))
              .get(firstRows(value.rank(), start, end)).assign(kept);
        }
        NativeMemory.releaseGarbageIfGrown();
        ComputeThreads.adjust();
      }
      return results;
    } finally {
      if (flag != null) {
        flag.assign(before);
      }
    }
  }

  private static long items(Map<String, INDArray> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("infer needs at least one input");
    }
    long[] sizes = inputs.values().stream().mapToLong(a -> a.rank() == 0 ? -1 : a.size(0)).distinct().toArray();
    if (sizes.length != 1 || sizes[0] < 1) {
      StringBuilder shapes = new StringBuilder();
      inputs.forEach((name, a) -> shapes.append(' ').append(name).append(Arrays.toString(a.shape())));
      throw new IllegalArgumentException("infer's inputs must be batches of the same N ≥ 1 items along their"
          + " first dimension; got" + shapes);
    }
    return sizes[0];
  }

  /** Rows {@code start..end} of {@code array}; a single row twice, for batch norm. */
  private static INDArray rows(INDArray array, long start, long end) {
    INDArray slice = array.get(firstRows(array.rank(), start, end));
    return end - start == 1 ? Nd4j.concat(0, slice, slice) : slice;
  }

  private static INDArrayIndex[] firstRows(int rank, long start, long end) {
    INDArrayIndex[] index = new INDArrayIndex[rank];
    index[0] = NDArrayIndex.interval(start, end);
    for (int d = 1; d < rank; d++) {
      index[d] = NDArrayIndex.all();
    }
    return index;
  }

  private static long[] withRows(long[] shape, long rows) {
    long[] result = shape.clone();
    result[0] = rows;
    return result;
  }
}
