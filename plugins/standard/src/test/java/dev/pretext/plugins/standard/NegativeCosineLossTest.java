package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NegativeCosineLossTest {

  @Test
  void isTwoMinusTwiceTheCosineAveragedOverRows() {
    Loss loss = Fixtures.components(1).create(Loss.class, "negative-cosine", ConfigFactory.empty(), "test.loss");
    assertThat(loss.roles()).containsExactlyInAnyOrder("prediction", "target");
    GraphBuilder g = GraphBuilder.create(1);
    // Cosines 0 (orthogonal), 1 (same direction, other length) and 24/25.
    float[][] p = {{1, 0}, {1, 1}, {3, 4}};
    float[][] z = {{0, 1}, {2, 2}, {4, 3}};
    double value = loss.build(g, Map.of(
        "prediction", g.constant("p", Nd4j.createFromArray(p)),
        "target", g.constant("z", Nd4j.createFromArray(z)))).eval().getDouble(0);
    assertThat(value).isCloseTo((2 + 0 + (2 - 2 * 24.0 / 25)) / 3, within(1e-6));
  }
}
