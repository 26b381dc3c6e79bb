package dev.pretext.api.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class OpsTest {

  private static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  @Test
  void linearFeedingAnotherOpGivesTheSameAnswerOnEveryCall() {
    // Regression: M2.1's xw_plus_b accumulated into a reused buffer from the second call on.
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.placeholder("x", -1, 6);
    SDVariable y = g.sameDiff().nn().relu(Ops.linear(g, "fc", x, 6, 3), 0);
    INDArray in = Nd4j.rand(DataType.FLOAT, 4, 6);
    INDArray w = g.sameDiff().getVariable("fc_w").getArr();
    INDArray expected = Transforms.relu(in.mmul(w));
    for (int call = 0; call < 3; call++) {
      INDArray out = g.sameDiff().output(Map.of("x", in.dup()), y.name()).get(y.name());
      assertThat(maxDiff(out, expected)).as("call %d", call).isLessThan(1e-5);
    }
  }

  @Test
  void batchNormUsesRunningStatisticsWhenTheFlagIsOff() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.placeholder("x", -1, 2);
    SDVariable y = Ops.batchNorm(g, "bn", x, 2);
    INDArray in = Nd4j.createFromArray(new float[][] {{1, 10}, {3, 30}});
    // Training: batch statistics, each column standardized.
    INDArray train = g.sameDiff().output(Map.of("x", in), y.name()).get(y.name()).dup();
    assertThat(train.getDouble(0, 0)).isCloseTo(-1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(g.batchStatistics()).hasSize(2);
    // Inference: running mean 2 / var 4 (as calibration would set them), for any batch size.
    g.sameDiff().getVariable("bn_running_mean").setArray(Nd4j.createFromArray(new float[][] {{2, 20}}));
    g.sameDiff().getVariable("bn_running_var").setArray(Nd4j.createFromArray(new float[][] {{4, 400}}));
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(DataType.FLOAT, 0f));
    INDArray other = Nd4j.createFromArray(new float[][] {{1, 10}, {-50, 700}});
    INDArray out = g.sameDiff().output(Map.of("x", other), y.name()).get(y.name()).dup();
    assertThat(out.getDouble(0, 0)).isCloseTo(-0.5, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(out.getDouble(0, 1)).isCloseTo(-0.5, org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void maskedLogSumExpIgnoresMaskedEntries() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.constant("x", Nd4j.createFromArray(new float[][] {{1, 2, 1000}}));
    SDVariable m = g.constant("m", Nd4j.createFromArray(new float[][] {{1, 1, 0}}));
    double value = Ops.maskedLogSumExp(g.sameDiff(), x, m, 1).eval().getDouble(0);
    assertThat(value).isCloseTo(Math.log(Math.exp(1) + Math.exp(2)), org.assertj.core.data.Offset.offset(1e-5));
  }
}
