package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReconstructionLossTest {

  private static Loss loss(String type) {
    return Fixtures.components(1).create(Loss.class, type, ConfigFactory.empty(), "test.loss");
  }

  private static INDArray array(float... v) {
    return Nd4j.create(v, new long[] {1, 1, 2, 2}, 'c');
  }

  /** The loss of constant inputs; {@code weight} may be null. */
  private static double value(Loss loss, INDArray prediction, INDArray target, INDArray weight) {
    GraphBuilder g = GraphBuilder.create(1);
    Map<String, SDVariable> inputs = new HashMap<>();
    inputs.put("prediction", g.constant("p", prediction));
    inputs.put("target", g.constant("t", target));
    if (weight != null) {
      inputs.put("weight", g.constant("w", weight));
    }
    return loss.build(g, inputs).eval().getDouble(0);
  }

  /** −t·log σ(x) − (1 − t)·log(1 − σ(x)), the textbook form. */
  private static double bce(double x, double t) {
    double s = 1 / (1 + Math.exp(-x));
    return -t * Math.log(s) - (1 - t) * Math.log(1 - s);
  }

  @Test
  void mseIsTheMeanOrTheWeightedMeanOfSquaredErrors() {
    INDArray p = array(0.2f, 0.8f, 0.5f, 1.0f);
    INDArray t = array(0f, 1f, 1f, 1f);
    // (0.04 + 0.04 + 0.25 + 0) / 4
    assertThat(value(loss("mse"), p, t, null)).isCloseTo(0.0825, within(1e-6));
    // Only elements 0 and 2 count: (0.04 + 0.25) / 2
    assertThat(value(loss("mse"), p, t, array(1, 0, 1, 0))).isCloseTo(0.145, within(1e-6));
    // Weights 3 and 1: (3·0.04 + 1·0.25) / 4
    assertThat(value(loss("mse"), p, t, array(3, 0, 1, 0))).isCloseTo(0.0925, within(1e-6));
  }

  @Test
  void binaryCrossEntropyOfLogitsMatchesTheTextbookForm() {
    float[] x = {2f, -1f, 0f, 3f};
    float[] t = {1f, 0f, 0.5f, 0.25f};
    double mean = 0;
    for (int i = 0; i < 4; i++) {
      mean += bce(x[i], t[i]) / 4;
    }
    assertThat(value(loss("binary-cross-entropy"), array(x), array(t), null)).isCloseTo(mean, within(1e-5));
    double weighted = (2 * bce(2, 1) + bce(0, 0.5)) / 3;
    assertThat(value(loss("binary-cross-entropy"), array(x), array(t), array(2, 0, 1, 0)))
        .isCloseTo(weighted, within(1e-5));
  }

  @Test
  void binaryCrossEntropyStaysFiniteForLargeLogits() {
    // A confidently wrong logit of ±80 costs 80 (σ would round to exactly 0 or 1 in float).
    double v = value(loss("binary-cross-entropy"), array(80f, -80f, 80f, -80f), array(0f, 1f, 1f, 0f), null);
    assertThat(v).isCloseTo(40, within(1e-3));
  }

  @Test
  void binaryCrossEntropyGradientIsSigmoidMinusTarget() {
    GraphBuilder g = GraphBuilder.create(1);
    // Away from x = 0, where |x| and max(x, 0) have kinks and DL4J takes the subgradient 0.
    float[] x = {2f, -1f, 0.5f, 3f};
    float[] t = {1f, 0f, 0.5f, 0.25f};
    SDVariable logits = g.variable("x", array(x));
    SDVariable value = loss("binary-cross-entropy").build(g,
        Map.of("prediction", logits, "target", g.constant("t", array(t))));
    g.sameDiff().setLossVariables(value.name());
    float[] grad = g.sameDiff().calculateGradients(Map.of(), List.of("x")).get("x").data().asFloat();
    for (int i = 0; i < 4; i++) {
      assertThat((double) grad[i]).isCloseTo((1 / (1 + Math.exp(-x[i])) - t[i]) / 4, within(1e-5));
    }
  }

  @Test
  void theWeightRoleIsOptional() {
    assertThat(loss("mse").roles()).containsExactlyInAnyOrder("prediction", "target");
    assertThat(loss("binary-cross-entropy").roles()).containsExactlyInAnyOrder("prediction", "target");
  }
}
