package dev.pretext.toolkit.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ConvDecoderTest {

  @Test
  void decodesACodeToTheOutputShape() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable code = g.placeholder("code", -1, 5);
    SDVariable out = ConvDecoder.build(g.scope("decoder"), code, 5, List.of(8, 4, 2), new ImageShape(3, 12, 8));
    INDArray y = g.sameDiff().output(Map.of("code", Nd4j.rand(DataType.FLOAT, 2, 5)), out.name()).get(out.name());
    assertThat(y.shape()).containsExactly(2, 3, 12, 8);
  }

  @Test
  void everyDecoderWeightGetsAGradient() {
    GraphBuilder g = GraphBuilder.create(2);
    SameDiff sd = g.sameDiff();
    SDVariable code = g.placeholder("code", -1, 6);
    SDVariable target = g.placeholder("target", -1, 1, 8, 8);
    SDVariable out = ConvDecoder.build(g.scope("decoder"), code, 6, List.of(4, 3), new ImageShape(1, 8, 8));
    SDVariable diff = out.sub(target);
    SDVariable loss = diff.mul(diff).mean();
    sd.setLossVariables(loss);
    List<String> weights = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
    assertThat(weights).contains("decoder/project_w", "decoder/up1_w", "decoder/out_w", "decoder/out_b");
    Map<String, INDArray> grads = sd.calculateGradients(Map.of(
        "code", Nd4j.rand(DataType.FLOAT, 4, 6), "target", Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8)), weights);
    for (String w : weights) {
      assertThat(grads.get(w)).as(w).isNotNull();
      assertThat(grads.get(w).norm2Number().doubleValue()).as("gradient norm of %s", w).isGreaterThan(0);
    }
  }

  @Test
  void featuresStopBeforeTheOutputLayer() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable code = g.placeholder("code", -1, 5);
    SDVariable f = ConvDecoder.features(g, code, 5, List.of(8, 6), new ImageShape(2, 4, 4));
    INDArray y = g.sameDiff().output(Map.of("code", Nd4j.rand(DataType.FLOAT, 3, 5)), f.name()).get(f.name());
    assertThat(y.shape()).containsExactly(3, 6, 4, 4);
    assertThat(y.minNumber().doubleValue()).as("after ReLU").isGreaterThanOrEqualTo(0);
    assertThat(g.sameDiff().hasVariable("out_w")).isFalse();
  }

  @Test
  void explainsChannelListsThatCannotDecodeTheShape() {
    assertThat(ConvDecoder.problem(List.of(64, 32, 16), new ImageShape(1, 28, 28))).isNull();
    assertThat(ConvDecoder.problem(List.of(64, 32, 16, 8), new ImageShape(1, 28, 28)))
        .contains("3 upsampling stages", "divisible by 8", "28x28");
    assertThat(ConvDecoder.problem(List.of(), new ImageShape(1, 28, 28))).contains("1 or more");
    assertThat(ConvDecoder.problem(List.of(0), new ImageShape(1, 28, 28))).contains("got [0]");
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable code = g.placeholder("code", -1, 5);
    assertThatThrownBy(() -> ConvDecoder.build(g, code, 5, List.of(4, 4, 4, 4), new ImageShape(1, 28, 28)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("divisible by 8");
  }
}
