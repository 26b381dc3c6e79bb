package dev.pretext.toolkit.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
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
  void spatialBatchNormStandardizesEachChannelAndBackpropagatesLikeTheTextbookFormula() {
    // libnd4j's fused batchnorm with its statistics from moments and the gradient NativeBatchNorm
    // builds must give the values and gradients of (x − μ)·rsqrt(σ² + ε)·γ + β, computed here
    // from separate ops (SameDiff differentiates a FlatBuffers copy, so this also covers the
    // op classes coming back from deserialization).
    Nd4j.getRandom().setSeed(7);
    INDArray in = Nd4j.rand(DataType.FLOAT, 4, 3, 5, 5).muli(4).addi(2);
    INDArray upstream = Nd4j.rand(DataType.FLOAT, 4, 3, 5, 5);
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.sameDiff().var("x", in.dup());
    SDVariable y = Ops.spatialBatchNorm(g, "bn", x, 3);
    g.sameDiff().getVariable("bn_gamma").setArray(Nd4j.createFromArray(0.5f, 2f, -1f).reshape(1, 3, 1, 1));
    g.sameDiff().getVariable("bn_beta").setArray(Nd4j.createFromArray(1f, 0f, 3f).reshape(1, 3, 1, 1));
    y.mul(g.sameDiff().constant(upstream)).sum().markAsLoss();
    Map<String, INDArray> grads = g.sameDiff().calculateGradients(Map.of(), "x", "bn_gamma", "bn_beta");
    INDArray out = y.eval();

    var ref = org.nd4j.autodiff.samediff.SameDiff.create();
    SDVariable rx = ref.var("x", in.dup());
    SDVariable gamma = ref.var("gamma", Nd4j.createFromArray(0.5f, 2f, -1f).reshape(1, 3, 1, 1));
    SDVariable beta = ref.var("beta", Nd4j.createFromArray(1f, 0f, 3f).reshape(1, 3, 1, 1));
    SDVariable centered = rx.sub(rx.mean(true, 0, 2, 3));
    SDVariable var = centered.mul(centered).mean(true, 0, 2, 3);
    SDVariable ry = centered.mul(ref.math().rsqrt(var.add(1e-5))).mul(gamma).add(beta);
    ry.mul(ref.constant(upstream)).sum().markAsLoss();
    Map<String, INDArray> refGrads = ref.calculateGradients(Map.of(), "x", "gamma", "beta");

    assertThat(maxDiff(out, ry.eval())).isLessThan(1e-4);
    assertThat(out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(1))
        .meanNumber().doubleValue()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(maxDiff(grads.get("x"), refGrads.get("x"))).isLessThan(1e-4);
    assertThat(maxDiff(grads.get("bn_gamma"), refGrads.get("gamma"))).isLessThan(1e-3);
    assertThat(maxDiff(grads.get("bn_beta"), refGrads.get("beta"))).isLessThan(1e-3);
  }

  @Test
  void channelsLastBatchNormMatchesTheTextbookFormulaAndLeavesItsStatisticsOutOfTheGradient() {
    // The same check on [N, H, W, C] (statistics from products with ones, stopped by a bit cast),
    // with a mean far from zero so that σ² = E[x²] − μ² is put to the test; and the gradient graph
    // must not back-propagate through the statistics (NativeBatchNorm's gradient covers them).
    Nd4j.getRandom().setSeed(7);
    INDArray in = Nd4j.rand(DataType.FLOAT, 4, 5, 5, 3).muli(4).addi(2);
    INDArray upstream = Nd4j.rand(DataType.FLOAT, 4, 5, 5, 3);
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.sameDiff().var("x", in.dup());
    SDVariable y = Ops.channelsLastBatchNorm(g, "bn", x, 3);
    g.sameDiff().getVariable("bn_gamma").setArray(Nd4j.createFromArray(0.5f, 2f, -1f).reshape(1, 3, 1, 1));
    g.sameDiff().getVariable("bn_beta").setArray(Nd4j.createFromArray(1f, 0f, 3f).reshape(1, 3, 1, 1));
    y.mul(g.sameDiff().constant(upstream)).sum().markAsLoss();
    Map<String, INDArray> grads = g.sameDiff().calculateGradients(Map.of(), "x", "bn_gamma", "bn_beta");
    INDArray out = y.eval();

    var ref = SameDiff.create();
    SDVariable rx = ref.var("x", in.dup());
    SDVariable gamma = ref.var("gamma", Nd4j.createFromArray(0.5f, 2f, -1f).reshape(1, 1, 1, 3));
    SDVariable beta = ref.var("beta", Nd4j.createFromArray(1f, 0f, 3f).reshape(1, 1, 1, 3));
    SDVariable centered = rx.sub(rx.mean(true, 0, 1, 2));
    SDVariable var = centered.mul(centered).mean(true, 0, 1, 2);
    SDVariable ry = centered.mul(ref.math().rsqrt(var.add(1e-5))).mul(gamma).add(beta);
    ry.mul(ref.constant(upstream)).sum().markAsLoss();
    Map<String, INDArray> refGrads = ref.calculateGradients(Map.of(), "x", "gamma", "beta");

    assertThat(maxDiff(out, ry.eval())).isLessThan(1e-4);
    assertThat(maxDiff(grads.get("x"), refGrads.get("x"))).isLessThan(1e-4);
    assertThat(maxDiff(grads.get("bn_gamma").reshape(3), refGrads.get("gamma").reshape(3))).isLessThan(1e-3);
    assertThat(maxDiff(grads.get("bn_beta").reshape(3), refGrads.get("beta").reshape(3))).isLessThan(1e-3);
    // The gradient graph holds the forward ops too: one batchnorm forward and two in its gradient;
    // the only multiply_bp is the loss's own y·upstream (none for x·x of the statistics).
    java.util.List<String> ops = java.util.Arrays.stream(g.sameDiff().getFunction("grad").ops())
        .map(op -> op.opName()).toList();
    assertThat(ops).as("ops of the gradient graph").doesNotContain("tensordot_bp", "tensormmul_bp");
    assertThat(ops).filteredOn("multiply_bp"::equals).hasSize(1);
    assertThat(ops).filteredOn("batchnorm"::equals).hasSize(3);
  }

  @Test
  void reluGivesTheValuesAndGradientsOfSameDiffsReluAndLeavesOtherMaximumOpsAlone() {
    INDArray in = Nd4j.createFromArray(new float[] {-2f, -0.5f, 0f, 0.25f, 3f, -1f}).reshape(2, 3);
    INDArray upstream = Nd4j.createFromArray(new float[] {1f, 2f, 3f, 4f, 5f, 6f}).reshape(2, 3);
    Map<String, INDArray> fast = reluGradients(in, upstream, true);
    Map<String, INDArray> stock = reluGradients(in, upstream, false);
    assertThat(fast.get("y")).isEqualTo(stock.get("y"));
    assertThat(fast.get("x")).isEqualTo(stock.get("x"));
    assertThat(fast.get("x")).isEqualTo(Nd4j.createFromArray(new float[] {0f, 0f, 0f, 4f, 5f, 0f}).reshape(2, 3));

    // A maximum of two variables (not a ReLU) still sends each gradient to the larger input.
    SameDiff sd = SameDiff.create();
    TrainableOps.register();
    SDVariable a = sd.var("a", Nd4j.createFromArray(1f, 5f));
    SDVariable b = sd.var("b", Nd4j.createFromArray(3f, 2f));
    sd.math().max(a, b).mul(sd.constant(Nd4j.createFromArray(10f, 20f))).sum().markAsLoss();
    Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "a", "b");
    assertThat(grads.get("a")).isEqualTo(Nd4j.createFromArray(0f, 20f));
    assertThat(grads.get("b")).isEqualTo(Nd4j.createFromArray(10f, 0f));
  }

  private static Map<String, INDArray> reluGradients(INDArray in, INDArray upstream, boolean fast) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", in.dup());
    SDVariable y = (fast ? Ops.relu(sd, x) : sd.nn().relu(x, 0)).rename("y");
    y.mul(sd.constant(upstream)).sum().markAsLoss();
    Map<String, INDArray> grads = new java.util.HashMap<>(sd.calculateGradients(Map.of(), "x"));
    grads.put("y", y.eval());
    return grads;
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
