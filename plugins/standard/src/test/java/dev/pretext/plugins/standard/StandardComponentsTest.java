package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SuiteConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class StandardComponentsTest {

  @Test
  void conv4FromDefaultsGivesA256dRepresentation() {
    Encoder conv4 = Fixtures.encoder("conv4", "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable x = g.placeholder("x", -1, 1, 28, 28);
    Encoder.Representation h = conv4.build(g.scope("enc"), x, Fixtures.sample().train().shape());
    assertThat(h.size()).isEqualTo(256);
    INDArray out = g.sameDiff().output(Map.of("x", Fixtures.sampleImages(5).images()), h.variable().name())
        .get(h.variable().name());
    assertThat(out.shape()).containsExactly(5, 256);
    // Batch norm + ReLU + average pooling: non-negative, not all zero.
    assertThat(out.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(out.sumNumber().doubleValue()).isPositive();
  }

  @Test
  void aConv4ModuleAppliedTwiceSharesItsWeightsAndGivesFeatureMapsPerStage() {
    Encoder conv4 = Fixtures.encoder("conv4", "channels = [8, 16, 32]", 1);
    GraphBuilder g = GraphBuilder.create(1);
    ImageShape shape = Fixtures.sample().train().shape();
    ImageShape tile = new ImageShape(1, 12, 12);
    SDVariable x = g.placeholder("x", -1, 1, 28, 28);
    SDVariable t = g.placeholder("t", -1, 1, 12, 12);
    EncoderModule module = conv4.create(g.scope("enc"), shape);
    EncoderModule.EncoderOutput whole = module.apply(x, shape, EncoderModule.MAIN);
    EncoderModule.EncoderOutput tiles = module.apply(t, tile, "tiles");
    var sd = g.sameDiff();
    // One set of weights: three convolutions' kernels and batch-norm scales, whatever the applications.
    assertThat(sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
        .map(SDVariable::name)).containsExactlyInAnyOrder("enc/conv1_w", "enc/conv2_w", "enc/conv3_w",
            "enc/bn1_gamma", "enc/bn1_beta", "enc/bn2_gamma", "enc/bn2_beta", "enc/bn3_gamma", "enc/bn3_beta");
    INDArray images = Fixtures.sampleImages(4).images();
    INDArray crops = images.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(8, 20),
        NDArrayIndex.interval(8, 20)).dup();
    Map<String, INDArray> feed = Map.of("x", images, "t", crops);
    // Stage maps channels first: 28 → pooled 14 → pooled 7 (pooled-blocks 2).
    List<String> maps = whole.featureMaps().stream().map(SDVariable::name).toList();
    Map<String, INDArray> out = sd.output(feed, maps.toArray(String[]::new));
    assertThat(out.get(maps.get(0)).shape()).containsExactly(4, 8, 28, 28);
    assertThat(out.get(maps.get(1)).shape()).containsExactly(4, 16, 14, 14);
    assertThat(out.get(maps.get(2)).shape()).containsExactly(4, 32, 7, 7);
    // The pooled representation is the mean of the last map.
    String h = whole.representation().name();
    INDArray pooled = sd.output(feed, h).get(h);
    assertThat(pooled.sub(out.get(maps.get(2)).mean(2, 3)).amaxNumber().doubleValue()).isLessThan(1e-5);
    // Gradients of a loss on the tiles alone reach the shared kernels.
    sd.setLossVariables(tiles.representation().sum());
    Map<String, INDArray> grads = sd.calculateGradients(feed, "enc/conv1_w", "enc/bn3_beta");
    assertThat(grads.get("enc/conv1_w").norm2Number().doubleValue()).isPositive();
    assertThat(grads.get("enc/bn3_beta").norm2Number().doubleValue()).isPositive();
  }

  @Test
  void buildIsCreateThenApplyUnderTheSameNamesAndValues() {
    Encoder conv4 = Fixtures.encoder("conv4", "channels = [8, 16]", 1);
    ImageShape shape = Fixtures.sample().train().shape();
    INDArray images = Fixtures.sampleImages(5).images();
    GraphBuilder built = GraphBuilder.create(3);
    Encoder.Representation h = conv4.build(built.scope("enc"), built.placeholder("x", -1, 1, 28, 28), shape);
    GraphBuilder created = GraphBuilder.create(3);
    EncoderModule module = conv4.create(created.scope("enc"), shape);
    SDVariable rep = module.apply(created.placeholder("x", -1, 1, 28, 28), shape, EncoderModule.MAIN).representation();
    assertThat(rep.name()).isEqualTo(h.variable().name());
    INDArray a = built.sameDiff().output(Map.of("x", images), h.variable().name()).get(h.variable().name());
    INDArray b = created.sameDiff().output(Map.of("x", images), rep.name()).get(rep.name());
    assertThat(a).isEqualTo(b);
  }

  @Test
  void mlpFromDefaultsGivesItsLastHiddenSize() {
    Encoder mlp = Fixtures.encoder("mlp", "hidden = [64, 32]", 1);
    GraphBuilder g = GraphBuilder.create(1);
    Encoder.Representation h = mlp.build(g, g.placeholder("x", -1, 1, 28, 28), Fixtures.sample().train().shape());
    assertThat(h.size()).isEqualTo(32);
  }

  @Test
  void encodersGiveTheSameRepresentationOnEveryCall() {
    // Regression for DL4J M2.1 reusing buffers across inference calls (see docs/architecture.md).
    for (String type : new String[] {"mlp", "conv4"}) {
      Encoder encoder = Fixtures.encoder(type, type.equals("mlp") ? "hidden = [64, 32]" : "channels = [8, 16]", 1);
      GraphBuilder g = GraphBuilder.create(1);
      Encoder.Representation h = encoder.build(g, g.placeholder("x", -1, 1, 28, 28), Fixtures.sample().train().shape());
      g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0f));
      INDArray images = Fixtures.sampleImages(6).images();
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
    assertThatThrownBy(() -> Fixtures.encoder("conv4", "channels = []", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.channels")
        .hasMessageContaining("must list one or more values, each between 1 and 4096, got []");
    // Named by its own key (it was reported as 'channels' before), with the bound it depends on.
    assertThatThrownBy(() -> Fixtures.encoder("conv4", "channels = [8, 16], pooled-blocks = 3", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.pooled-blocks")
        .hasMessageContaining("must be between 0 and 2 (at most one per block), got 3");
    assertThatThrownBy(() -> Fixtures.encoder("mlp", "hidden = [64, 0]", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.hidden");
    assertThatThrownBy(() -> Fixtures.components(1).create(dev.pretext.api.Loss.class, "cross-entropy",
        com.typesafe.config.ConfigFactory.parseString("label-smoothing = 1"), "test.loss"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.loss.label-smoothing")
        .hasMessageContaining("must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> Fixtures.encoder("conv4", "chanels = [8]", 1))
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
