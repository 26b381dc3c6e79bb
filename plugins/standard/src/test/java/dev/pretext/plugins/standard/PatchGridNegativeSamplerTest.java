package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PatchGridNegativeSamplerTest {

  /** 2 images × 3 positions, width 2: q[n][p] and k[n][p]. */
  private static final float[][][] QUERIES = {
      {{1, 0}, {0, 1}, {0.6f, 0.8f}},
      {{-1, 0}, {0.8f, -0.6f}, {0, -1}}};
  private static final float[][][] KEYS = {
      {{0.8f, 0.6f}, {0, 1}, {1, 0}},
      {{-0.6f, 0.8f}, {0, -1}, {-1, 0}}};

  private static NegativeSampler sampler(String hocon) {
    return Fixtures.components(1).create(NegativeSampler.class, "patch-grid",
        ConfigFactory.parseString(hocon), "test.sampler");
  }

  private static INDArray[] evaluate(NegativeSampler sampler) {
    GraphBuilder g = GraphBuilder.create(1);
    NegativeSampler.ContrastiveLogits logits = sampler.build(g.scope("sampler"),
        g.constant("q", Nd4j.createFromArray(QUERIES)), g.constant("k", Nd4j.createFromArray(KEYS)));
    Map<String, INDArray> out = g.sameDiff().output(Map.of(), logits.similarities().name(),
        logits.positives().name(), logits.valid().name());
    return new INDArray[] {out.get(logits.similarities().name()), out.get(logits.positives().name()),
        out.get(logits.valid().name())};
  }

  private static float[] row(float[][][] x, int m) {
    return x[m / 3][m % 3];
  }

  @Test
  void comparesEveryPredictionWithEveryPatchOfTheBatch() {
    INDArray[] out = evaluate(sampler(""));
    assertThat(out[0].shape()).containsExactly(6, 6);
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        float[] q = row(QUERIES, i);
        float[] k = row(KEYS, j);
        assertThat(out[0].getDouble(i, j)).as("s[%d, %d]", i, j).isCloseTo(q[0] * k[0] + q[1] * k[1], within(1e-6));
      }
    }
  }

  @Test
  void thePositiveIsTheTrueKeyOnlyAndNeverANegative() {
    for (String hocon : new String[] {"", "negatives-from-same-image = false"}) {
      INDArray[] out = evaluate(sampler(hocon));
      INDArray positives = out[1];
      INDArray valid = out[2];
      assertThat(positives.equals(Nd4j.eye(6).castTo(positives.dataType()))).as(hocon).isTrue();
      INDArray negatives = valid.mul(positives.rsub(1));
      for (int i = 0; i < 6; i++) {
        assertThat(negatives.getDouble(i, i)).as("negative weight of positive %d, %s", i, hocon).isZero();
      }
      assertThat(valid.mul(positives).equals(positives)).as("the positive takes part, %s", hocon).isTrue();
    }
  }

  @Test
  void negativesComeFromOtherPositionsAndOtherImagesOrOnlyOtherImages() {
    INDArray all = evaluate(sampler(""))[2];
    assertThat(all.minNumber().doubleValue()).isEqualTo(1);

    INDArray otherImages = evaluate(sampler("negatives-from-same-image = false"))[2];
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        double expected = i == j || i / 3 != j / 3 ? 1 : 0;
        assertThat(otherImages.getDouble(i, j)).as("valid[%d, %d]", i, j).isEqualTo(expected);
      }
    }
  }

  @Test
  void worksWithInfoNceForABatchSizeUnknownWhenBuilding() {
    GraphBuilder g = GraphBuilder.create(1);
    SameDiff sd = g.sameDiff();
    SDVariable q = g.placeholder("q", -1, 3, 2);
    SDVariable k = g.placeholder("k", -1, 3, 2);
    NegativeSampler.ContrastiveLogits logits = sampler("negatives-from-same-image = false")
        .build(g.scope("sampler"), q, k);
    Loss loss = Fixtures.components(1).create(Loss.class, "info-nce",
        ConfigFactory.parseString("temperature = 0.5"), "test.loss");
    SDVariable value = loss.build(g.scope("loss"), Map.of("similarities", logits.similarities(),
        "positives", logits.positives(), "valid", logits.valid()));
    INDArray out = sd.output(Map.of("q", Nd4j.createFromArray(QUERIES), "k", Nd4j.createFromArray(KEYS)),
        value.name()).get(value.name());
    // Reference: row m against the keys of the other image plus its own key.
    double total = 0;
    for (int i = 0; i < 6; i++) {
      double den = 0;
      double pos = 0;
      for (int j = 0; j < 6; j++) {
        if (i == j || i / 3 != j / 3) {
          float[] a = row(QUERIES, i);
          float[] b = row(KEYS, j);
          double e = Math.exp((a[0] * b[0] + a[1] * b[1]) / 0.5);
          den += e;
          pos += i == j ? e : 0;
        }
      }
      total -= Math.log(pos / den);
    }
    assertThat(out.getDouble(0)).isCloseTo(total / 6, within(1e-5));
    assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
  }
}
