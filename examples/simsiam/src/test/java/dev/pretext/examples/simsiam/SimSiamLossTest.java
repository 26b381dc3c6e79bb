package dev.pretext.examples.simsiam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SimSiamLossTest {

  private static final long N = 4;
  private static final long D = 3;

  /** A graph with variables p1, p2, z1, z2 and the loss over them. */
  private static SameDiff graph(SimSiamLoss loss, INDArray p1, INDArray p2, INDArray z1, INDArray z2) {
    SameDiff sd = SameDiff.create();
    SDVariable value = loss.build(sd, "loss", sd.var("p1", p1), sd.var("p2", p2), sd.var("z1", z1),
        sd.var("z2", z2));
    sd.setLossVariables(value);
    return sd;
  }

  private static double value(SameDiff sd) {
    return sd.output(Map.of(), "loss").get("loss").getDouble(0);
  }

  @Test
  void isMinusOneWhenEachPredictionPointsAlongTheOtherViewsProjection() {
    INDArray a = Nd4j.rand(DataType.FLOAT, N, D).subi(0.5);
    INDArray b = Nd4j.rand(DataType.FLOAT, N, D).subi(0.5);
    // p1 = z2 and p2 = z1 up to a positive scale per row: the cosine ignores lengths.
    SameDiff sd = graph(new SimSiamLoss(true, true), b, a.mul(3), a, b.mul(0.5));
    assertThat(value(sd)).isCloseTo(-1, within(1e-5));
    assertThat(value(graph(new SimSiamLoss(true, true), b, a, a.neg(), b.neg()))).isCloseTo(1, within(1e-5));
  }

  @Test
  void averagesTheNegativeCosineOverRowsAndBothDirections() {
    INDArray p1 = Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}});
    INDArray z2 = Nd4j.createFromArray(new float[][] {{1, 1}, {0, -2}});
    INDArray p2 = Nd4j.createFromArray(new float[][] {{1, 0}, {1, 0}});
    INDArray z1 = Nd4j.createFromArray(new float[][] {{0, 1}, {2, 0}});
    double d12 = -(Math.sqrt(0.5) + -1) / 2;
    double d21 = -(0 + 1) / 2.0;
    assertThat(value(graph(new SimSiamLoss(true, true), p1, p2, z1, z2))).isCloseTo((d12 + d21) / 2, within(1e-6));
    assertThat(value(graph(new SimSiamLoss(true, false), p1, p2, z1, z2))).isCloseTo(d12, within(1e-6));
  }

  @Test
  void theGradientReachesThePredictionsButNotTheStopGradientBranch() {
    INDArray p1 = Nd4j.rand(DataType.FLOAT, N, D);
    INDArray p2 = Nd4j.rand(DataType.FLOAT, N, D);
    INDArray z1 = Nd4j.rand(DataType.FLOAT, N, D);
    INDArray z2 = Nd4j.rand(DataType.FLOAT, N, D);

    Map<String, INDArray> stopped = graph(new SimSiamLoss(true, true), p1, p2, z1, z2)
        .calculateGradients(Map.of(), "p1", "p2", "z1", "z2");
    for (String z : new String[] {"z1", "z2"}) {
      INDArray grad = stopped.get(z);
      assertThat(grad == null || grad.amaxNumber().doubleValue() == 0).as("gradient of %s: %s", z, grad).isTrue();
    }
    // dD/dp for one row: −(ẑ − cos·p̂)/|p|, halved (two directions) and divided by N (the mean).
    INDArray expected = Nd4j.create(DataType.FLOAT, N, D);
    for (int i = 0; i < N; i++) {
      INDArray p = p1.getRow(i);
      INDArray z = z2.getRow(i);
      double pn = p.norm2Number().doubleValue();
      INDArray zHat = z.div(z.norm2Number());
      double cos = p.div(pn).mul(zHat).sumNumber().doubleValue();
      expected.putRow(i, zHat.sub(p.div(pn).mul(cos)).div(pn).neg().div(2 * N));
    }
    assertThat(stopped.get("p1").equalsWithEps(expected, 1e-5)).as("%s vs %s", stopped.get("p1"), expected).isTrue();
    assertThat(stopped.get("p2").amaxNumber().doubleValue()).isPositive();

    // Without the stop-gradient the same loss pulls the projections too (the collapse ablation).
    Map<String, INDArray> open = graph(new SimSiamLoss(false, true), p1, p2, z1, z2)
        .calculateGradients(Map.of(), "z1", "z2");
    assertThat(open.get("z1").amaxNumber().doubleValue()).isPositive();
    assertThat(open.get("z2").amaxNumber().doubleValue()).isPositive();
  }
}
