package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ContrastiveLossTest {

  private static Loss loss(String type, String hocon) {
    return Fixtures.components(1).create(Loss.class, type, ConfigFactory.parseString(hocon), "test.loss");
  }

  private static NegativeSampler sampler() {
    return Fixtures.components(1).create(NegativeSampler.class, "in-batch", ConfigFactory.empty(), "test.sampler");
  }

  /** The loss built from constant inputs, evaluated. */
  private static double value(Loss loss, double[][] s, double[][] pos, double[][] valid) {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable out = loss.build(g, Map.of(
        "similarities", g.constant("s", Nd4j.create(s).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)),
        "positives", g.constant("pos", Nd4j.create(pos).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)),
        "valid", g.constant("valid", Nd4j.create(valid).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT))));
    return out.eval().getDouble(0);
  }

  /** −log(Σ pos·exp(s/τ) / Σ valid·exp(s/τ)), mean over rows, in plain Java. */
  private static double reference(double[][] s, double[][] pos, double[][] valid, double tau) {
    double total = 0;
    for (int i = 0; i < s.length; i++) {
      double num = 0;
      double den = 0;
      for (int j = 0; j < s[i].length; j++) {
        num += pos[i][j] * Math.exp(s[i][j] / tau);
        den += valid[i][j] * Math.exp(s[i][j] / tau);
      }
      total -= Math.log(num / den);
    }
    return total / s.length;
  }

  @Test
  void ntXentOfTwoViewsIsLogOnePlusExp() {
    // One image, two views with similarity 0.5: the only other entry of each row is its positive,
    // so with the diagonal valid too the loss is log(1 + e^((1 - 0.5)/τ)).
    double[][] s = {{1, 0.5}, {0.5, 1}};
    double[][] pos = {{0, 1}, {1, 0}};
    double[][] valid = {{1, 1}, {1, 1}};
    assertThat(value(loss("nt-xent", ""), s, pos, valid)).isCloseTo(Math.log(1 + Math.E), within(1e-5));
  }

  @Test
  void ntXentMatchesPlainJavaOnAFourByFourBatch() {
    double[][] s = {
        {1.0, 0.3, 0.8, -0.2},
        {0.3, 1.0, 0.1, 0.6},
        {0.8, 0.1, 1.0, -0.5},
        {-0.2, 0.6, -0.5, 1.0}};
    double[][] pos = {{0, 0, 1, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}, {0, 1, 0, 0}};
    double[][] valid = {{0, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}};
    assertThat(value(loss("nt-xent", ""), s, pos, valid)).isCloseTo(reference(s, pos, valid, 0.5), within(1e-5));
    assertThat(value(loss("nt-xent", "temperature = 0.1"), s, pos, valid))
        .isCloseTo(reference(s, pos, valid, 0.1), within(1e-4));
  }

  @Test
  void infoNceMatchesPlainJavaForQueriesAgainstAPositiveAndNegatives() {
    // Two queries, three keys each: the positive in column i, the rest negatives; two positives in row 1.
    double[][] s = {{0.9, 0.1, -0.3}, {0.2, 0.5, 0.4}};
    double[][] pos = {{1, 0, 0}, {0, 1, 1}};
    double[][] valid = {{1, 1, 1}, {1, 1, 1}};
    assertThat(value(loss("info-nce", ""), s, pos, valid)).isCloseTo(reference(s, pos, valid, 0.2), within(1e-5));
  }

  @Test
  void aTinyTemperatureIsRejectedWithItsKey() {
    assertThatThrownBy(() -> loss("nt-xent", "temperature = 0.001"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.loss.temperature");
    assertThatThrownBy(() -> loss("info-nce", "temperature = 0"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.loss.temperature");
  }

  @Test
  void inBatchSamplerComparesEveryViewWithEveryOther() {
    float c = (float) Math.sqrt(0.5);
    INDArray q = Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}, {c, c}});
    INDArray k = Nd4j.createFromArray(new float[][] {{c, c}, {0, 1}, {1, 0}});
    GraphBuilder g = GraphBuilder.create(1);
    NegativeSampler.ContrastiveLogits logits =
        sampler().build(g, g.constant("q", q), g.constant("k", k));
    INDArray z = Nd4j.concat(0, q, k);
    assertThat(logits.similarities().eval().equalsWithEps(z.mmul(z.transpose()), 1e-6)).isTrue();
    INDArray pos = logits.positives().eval();
    INDArray valid = logits.valid().eval();
    assertThat(pos.shape()).containsExactly(6, 6);
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        assertThat(pos.getDouble(i, j)).as("positive (%d, %d)", i, j).isEqualTo(Math.abs(i - j) == 3 ? 1 : 0);
        assertThat(valid.getDouble(i, j)).as("valid (%d, %d)", i, j).isEqualTo(i == j ? 0 : 1);
      }
    }

    SDVariable value = loss("nt-xent", "").build(g, Map.of("similarities", logits.similarities(),
        "positives", logits.positives(), "valid", logits.valid()));
    double[][] s = z.mmul(z.transpose()).toDoubleMatrix();
    assertThat(value.eval().getDouble(0))
        .isCloseTo(reference(s, pos.toDoubleMatrix(), valid.toDoubleMatrix(), 0.5), within(1e-5));
  }
}
