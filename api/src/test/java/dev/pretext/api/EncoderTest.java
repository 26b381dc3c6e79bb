package dev.pretext.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EncoderTest {

  private static final ImageShape SHAPE = new ImageShape(1, 4, 4);

  /** An SPI 1.x encoder: a lambda that implements only build (a linear map to 3 values). */
  private static final Encoder BUILD_ONLY = (g, images, shape) -> new Encoder.Representation(
      images.reshape(-1, shape.size()).mmul(g.normalVariable("fc_w", 0.1, shape.size(), 3)), 3);

  @Test
  void aBuildOnlyEncoderIsAModuleAppliedOnceThroughBuild() {
    GraphBuilder viaModule = GraphBuilder.create(1);
    SDVariable images = viaModule.placeholder("images", SHAPE.batchShape());
    EncoderModule module = BUILD_ONLY.create(viaModule.scope("encoder"), SHAPE);
    SDVariable h = module.apply(images, SHAPE, EncoderModule.MAIN).representation();

    GraphBuilder viaBuild = GraphBuilder.create(1);
    Encoder.Representation built = BUILD_ONLY.build(viaBuild.scope("encoder"),
        viaBuild.placeholder("images", SHAPE.batchShape()), SHAPE);

    INDArray batch = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4);
    assertThat(module.representationSize()).isEqualTo(3);
    assertThat(h.name()).isEqualTo(built.variable().name());
    assertThat(viaModule.sameDiff().hasVariable("encoder/fc_w")).isTrue();
    assertThat(viaModule.sameDiff().output(Map.of("images", batch), h.name()).get(h.name()))
        .isEqualTo(viaBuild.sameDiff().output(Map.of("images", batch), built.variable().name())
            .get(built.variable().name()));
  }

  @Test
  void aBuildOnlyEncodersModuleRefusesASecondApplicationAndAWidthBeforeTheFirst() {
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable images = g.placeholder("images", SHAPE.batchShape());
    EncoderModule module = BUILD_ONLY.create(g.scope("encoder"), SHAPE);
    assertThatThrownBy(module::representationSize).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("implements only Encoder.build").hasMessageContaining("once the module is applied");
    module.apply(images, SHAPE, EncoderModule.MAIN);
    assertThatThrownBy(() -> module.apply(images, SHAPE, "tiles"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("cannot be applied twice").hasMessageContaining("implement Encoder.create");
  }
}
