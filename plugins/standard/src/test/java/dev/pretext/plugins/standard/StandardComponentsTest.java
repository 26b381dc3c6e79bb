package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.testkit.TestKit;
import dev.pretext.runtime.config.SuiteConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StandardComponentsTest {

  @Test
  void conv4FromDefaultsGivesA256dRepresentation() {
    Encoder conv4 = TestKit.encoder("conv4", "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.placeholder("x", -1, 1, 28, 28);
    Encoder.Representation h = conv4.build(g.scope("enc"), x, TestKit.sample().train().shape());
    assertThat(h.size()).isEqualTo(256);
    INDArray out = g.sameDiff().output(Map.of("x", TestKit.sampleImages(5).images()), h.variable().name())
        .get(h.variable().name());
    assertThat(out.shape()).containsExactly(5, 256);
    // Batch norm + ReLU + average pooling: non-negative, not all zero.
    assertThat(out.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(out.sumNumber().doubleValue()).isPositive();
  }

  @Test
  void mlpFromDefaultsGivesItsLastHiddenSize() {
    Encoder mlp = TestKit.encoder("mlp", "hidden = [64, 32]", 1);
    GraphBuilder g = GraphBuilder.create(1);
    Encoder.Representation h = mlp.build(g, g.placeholder("x", -1, 1, 28, 28), TestKit.sample().train().shape());
    assertThat(h.size()).isEqualTo(32);
  }

  @Test
  void encodersGiveTheSameRepresentationOnEveryCall() {
    // Regression for DL4J M2.1 reusing buffers across inference calls (see docs/architecture.md).
    for (String type : new String[] {"mlp", "conv4"}) {
      Encoder encoder = TestKit.encoder(type, type.equals("mlp") ? "hidden = [64, 32]" : "channels = [8, 16]", 1);
      GraphBuilder g = GraphBuilder.create(1);
      Encoder.Representation h = encoder.build(g, g.placeholder("x", -1, 1, 28, 28), TestKit.sample().train().shape());
      g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0f));
      INDArray images = TestKit.sampleImages(6).images();
      String name = h.variable().name();
      INDArray first = g.sameDiff().output(Map.of("x", images.dup()), name).get(name).dup();
      for (int call = 0; call < 3; call++) {
        INDArray again = g.sameDiff().output(Map.of("x", images.dup()), name).get(name);
        assertThat(again.sub(first).amaxNumber().doubleValue()).as("%s call %d", type, call).isLessThan(1e-5);
      }
    }
  }

  @Test
  void badEncoderSettingsAreRejectedWithTheKey() {
    assertThatThrownBy(() -> TestKit.encoder("conv4", "channels = []", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("channels");
    assertThatThrownBy(() -> TestKit.encoder("conv4", "chanels = [8]", 1))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("did you mean 'channels'");
  }

  @Test
  void crossEntropyMatchesHandComputedValue() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable logits = g.constant("logits", Nd4j.createFromArray(new float[][] {{2, 0}, {0, 0}}));
    SDVariable labels = g.constant("labels", Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
    SDVariable loss = new CrossEntropyLoss(0).build(g, Map.of("logits", logits, "labels", labels));
    double expected = (Math.log(1 + Math.exp(-2)) + Math.log(2)) / 2;
    assertThat(loss.eval().getDouble(0)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
  }
}
