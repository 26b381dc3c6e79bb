package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.api.GraphRunner;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The runner against what plugins did by hand before it: set the training flag, call {@code
 * graph.output} on their own batches, restore the flag, duplicate a single image.
 */
class BatchedGraphRunnerTest {

  /** A feature-map batch norm (calibrated running statistics set) and a per-image mean after it. */
  private static SameDiff graph() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.placeholder("x", -1, 2, 5, 5);
    SDVariable y = Ops.spatialBatchNorm(g, "bn", x, 2).rename("y");
    y.mean("pooled", 2, 3);
    y.sum("total");
    SameDiff sd = g.sameDiff();
    for (GraphBuilder.BatchStatistic s : g.batchStatistics()) {
      INDArray running = sd.getVariable(s.runningConstant()).getArr();
      running.assign(s.runningConstant().contains("mean") ? 0.3 : 2.0);
    }
    return sd;
  }

  private static INDArray images(int n) {
    Nd4j.getRandom().setSeed(n);
    return Nd4j.rand(DataType.FLOAT, n, 2, 5, 5).muli(3);
  }

  private static INDArray rows(INDArray a, long start, long end) {
    return a.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
  }

  /** The hand-written path: flag set, one output call, flag put back. */
  private static INDArray byHand(SameDiff sd, INDArray x, float flag, String output) {
    INDArray f = sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr();
    float before = f.getFloat(0);
    f.assign(flag);
    try {
      return sd.output(Map.of("x", x), output).get(output).dup();
    } finally {
      f.assign(before);
    }
  }

  @Test
  void inferenceInBatchesEqualsOneHandFlippedPassAndLeavesTheFlagAsItWas() {
    SameDiff sd = graph();
    INDArray x = images(10);
    INDArray expected = byHand(sd, x, 0f, "y");
    // 10 images in batches of at most 4: 3, 3 and 4.
    Map<String, INDArray> out = new BatchedGraphRunner(4).infer(sd, Map.of("x", x), "y", "pooled");
    assertThat(out.get("y").shape()).containsExactly(10, 2, 5, 5);
    assertThat(out.get("y").equalsWithEps(expected, 1e-6)).isTrue();
    assertThat(out.get("pooled").equalsWithEps(expected.mean(2, 3), 1e-6)).isTrue();
    assertThat(sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr().getFloat(0)).as("the builder's training flag")
        .isEqualTo(1f);
  }

  @Test
  void batchStatisticsAreTheHandFlippedPathOverEvenBatchesOfTheTrainingSize() {
    SameDiff sd = graph();
    INDArray x = images(10);
    INDArray whole = byHand(sd, x, 1f, "y");
    assertThat(new BatchedGraphRunner(16).inferWithBatchStatistics(sd, Map.of("x", x), "y").get("y"))
        .isEqualTo(whole);
    // Batches of at most 6: two of 5, each normalized with its own statistics.
    INDArray halves = Nd4j.concat(0, byHand(sd, rows(x, 0, 5), 1f, "y"), byHand(sd, rows(x, 5, 10), 1f, "y"));
    assertThat(new BatchedGraphRunner(6).inferWithBatchStatistics(sd, Map.of("x", x), "y").get("y"))
        .isEqualTo(halves);
    assertThat(halves.equalsWithEps(whole, 1e-3)).as("the batches' statistics differ from the whole's").isFalse();
    sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    new BatchedGraphRunner(6).inferWithBatchStatistics(sd, Map.of("x", x), "y");
    assertThat(sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr().getFloat(0)).as("inference mode restored")
        .isZero();
  }

  @Test
  void aBatchOfOneImageGivesItsRowAsInALargerBatch() {
    SameDiff sd = graph();
    INDArray x = images(10);
    GraphRunner runner = new BatchedGraphRunner(4);
    INDArray fourth = runner.infer(sd, Map.of("x", rows(x, 3, 4)), "y").get("y");
    assertThat(fourth.shape()).containsExactly(1, 2, 5, 5);
    assertThat(fourth.equalsWithEps(rows(runner.infer(sd, Map.of("x", x), "y").get("y"), 3, 4), 1e-6)).isTrue();
    // With batch statistics, as colorization padded it by hand: the image twice, the first row kept.
    INDArray single = rows(x, 3, 4);
    assertThat(runner.inferWithBatchStatistics(sd, Map.of("x", single), "y").get("y"))
        .isEqualTo(rows(byHand(sd, Nd4j.concat(0, single, single), 1f, "y"), 0, 1));
    // 9 images in batches of at most 4 are 3 + 3 + 3, never a batch of one.
    assertThat(runner.inferWithBatchStatistics(sd, Map.of("x", rows(x, 0, 9)), "y").get("y"))
        .isEqualTo(Nd4j.concat(0, byHand(sd, rows(x, 0, 3), 1f, "y"), byHand(sd, rows(x, 3, 6), 1f, "y"),
            byHand(sd, rows(x, 6, 9), 1f, "y")));
  }

  @Test
  void outputsWithoutARowPerItemAndInputsOfDifferentSizesAreRefusedByName() {
    SameDiff sd = graph();
    GraphRunner runner = new BatchedGraphRunner(4);
    assertThatThrownBy(() -> runner.infer(sd, Map.of("x", images(6)), "total"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output 'total' has shape []")
        .hasMessageContaining("one row per item");
    assertThatThrownBy(() -> runner.infer(sd, Map.of("x", images(6), "other", Nd4j.zeros(3, 2)), "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same N")
        .hasMessageContaining("x[6, 2, 5, 5]")
        .hasMessageContaining("other[3, 2]");
    assertThat(sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr().getFloat(0)).isEqualTo(1f);
  }
}
