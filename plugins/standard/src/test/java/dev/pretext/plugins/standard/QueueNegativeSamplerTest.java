package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.graph.GraphBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class QueueNegativeSamplerTest {

  private static QueueNegativeSampler queue(int size) {
    return (QueueNegativeSampler) Fixtures.components(1).create(NegativeSampler.class, "queue",
        ConfigFactory.parseString("size = " + size), "test.sampler");
  }

  /** Builds the sampler on constant queries and keys of width {@code d}. */
  private static NegativeSampler.ContrastiveLogits build(QueueNegativeSampler sampler, GraphBuilder g,
      float[][] q, float[][] k) {
    return sampler.build(g.scope("sampler"), g.constant("q", Nd4j.createFromArray(q)),
        g.constant("k", Nd4j.createFromArray(k)));
  }

  /** Keys {@code [[a, 0], [a + 1, 0], …]} of width 2, {@code n} of them. */
  private static INDArray keys(int first, int n) {
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = new float[] {first + i, 0};
    }
    return Nd4j.createFromArray(rows);
  }

  private static float[] firstColumn(Map<String, INDArray> fed) {
    return fed.get("sampler/queue").getColumn(0).toFloatVector();
  }

  private static float[] mask(Map<String, INDArray> fed) {
    return fed.get("sampler/queue_mask").toFloatVector();
  }

  @Test
  void isAFifoOfTheConfiguredSizeThatOverwritesTheOldestKeys() {
    QueueNegativeSampler sampler = queue(4);
    build(sampler, GraphBuilder.create(1), new float[3][2], new float[3][2]);
    Map<String, INDArray> fed = sampler.feed(null);
    assertThat(fed.get("sampler/queue").shape()).containsExactly(4, 2);
    assertThat(mask(fed)).containsExactly(0, 0, 0, 0);

    sampler.afterStep(null, keys(1, 3));
    assertThat(firstColumn(sampler.feed(null))).containsExactly(1, 2, 3, 0);
    assertThat(mask(sampler.feed(null))).containsExactly(1, 1, 1, 0);

    // Keys 4, 5, 6: 4 fills the last slot, 5 and 6 replace the two oldest (1, 2).
    sampler.afterStep(null, keys(4, 3));
    assertThat(firstColumn(sampler.feed(null))).containsExactly(5, 6, 3, 4);
    assertThat(mask(sampler.feed(null))).containsExactly(1, 1, 1, 1);

    // Keys 7, 8, 9 replace 3, 4, 5: the queue holds the last four keys, 6 to 9.
    sampler.afterStep(null, keys(7, 3));
    assertThat(firstColumn(sampler.feed(null))).containsExactly(9, 6, 7, 8);
    assertThat(mask(sampler.feed(null))).containsExactly(1, 1, 1, 1);
    assertThat(sampler.feed(null).get("sampler/queue").getColumn(1).toFloatVector()).containsOnly(0);
  }

  @Test
  void aBatchLargerThanTheQueueLeavesItsLastKeys() {
    QueueNegativeSampler sampler = queue(4);
    build(sampler, GraphBuilder.create(1), new float[5][2], new float[5][2]);
    sampler.afterStep(null, keys(1, 5));
    assertThat(firstColumn(sampler.feed(null))).containsExactly(2, 3, 4, 5);
    assertThat(sampler.filled()).isEqualTo(4);
  }

  @Test
  void logitsPutThePositiveFirstAndLeaveEmptySlotsOut() {
    QueueNegativeSampler sampler = queue(2);
    GraphBuilder g = GraphBuilder.create(1);
    float[][] q = {{1, 0}, {0, 1}};
    float[][] k = {{0.6f, 0.8f}, {0, 1}};
    NegativeSampler.ContrastiveLogits logits = build(sampler, g, q, k);
    sampler.afterStep(null, Nd4j.createFromArray(new float[][] {{0.8f, 0.6f}}));

    Map<String, INDArray> out = g.sameDiff().output(sampler.feed(null),
        logits.similarities().name(), logits.positives().name(), logits.valid().name());
    // Row i: [q_i·k_i | q_i·slot 0, q_i·slot 1 (empty)].
    assertThat(out.get(logits.similarities().name()).equalsWithEps(
        Nd4j.createFromArray(new float[][] {{0.6f, 0.8f, 0}, {1, 0.6f, 0}}), 1e-6)).isTrue();
    assertThat(out.get(logits.positives().name()).toFloatMatrix())
        .isDeepEqualTo(new float[][] {{1, 0, 0}, {1, 0, 0}});
    assertThat(out.get(logits.valid().name()).toFloatMatrix())
        .isDeepEqualTo(new float[][] {{1, 1, 0}, {1, 1, 0}});

    // InfoNCE (τ = 0.2) over it: row i is log(1 + exp((s_neg − s_pos) / τ)).
    Loss infoNce = Fixtures.components(1).create(Loss.class, "info-nce", ConfigFactory.empty(), "test.loss");
    SDVariable value = infoNce.build(g.scope("loss"), Map.of("similarities", logits.similarities(),
        "positives", logits.positives(), "valid", logits.valid()));
    double expected = (Math.log(1 + Math.exp(0.2 / 0.2)) + Math.log(1 + Math.exp(-0.4 / 0.2))) / 2;
    assertThat(g.sameDiff().output(sampler.feed(null), value.name()).get(value.name()).getDouble(0))
        .isCloseTo(expected, within(1e-5));
  }

  @Test
  void anEmptyQueueLeavesOnlyThePositiveAndAZeroLoss() {
    QueueNegativeSampler sampler = queue(3);
    GraphBuilder g = GraphBuilder.create(1);
    NegativeSampler.ContrastiveLogits logits = build(sampler, g, new float[][] {{1, 0}}, new float[][] {{0, 1}});
    Loss infoNce = Fixtures.components(1).create(Loss.class, "info-nce", ConfigFactory.empty(), "test.loss");
    SDVariable value = infoNce.build(g.scope("loss"), Map.of("similarities", logits.similarities(),
        "positives", logits.positives(), "valid", logits.valid()));
    double loss = g.sameDiff().output(sampler.feed(null), value.name()).get(value.name()).getDouble(0);
    assertThat(loss).isFinite().isCloseTo(0, within(1e-6));
  }

  @Test
  void savedContentsComeBackInAFreshQueue() throws Exception {
    QueueNegativeSampler sampler = queue(4);
    build(sampler, GraphBuilder.create(1), new float[3][2], new float[3][2]);
    sampler.afterStep(null, keys(1, 3));
    sampler.afterStep(null, keys(4, 2));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sampler.saveState(bytes);

    QueueNegativeSampler restored = queue(4);
    build(restored, GraphBuilder.create(1), new float[3][2], new float[3][2]);
    restored.loadState(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(firstColumn(restored.feed(null))).containsExactly(5, 2, 3, 4);
    // Both continue alike: the next key replaces the oldest (2).
    sampler.afterStep(null, keys(6, 1));
    restored.afterStep(null, keys(6, 1));
    assertThat(firstColumn(restored.feed(null))).containsExactly(firstColumn(sampler.feed(null)));
    assertThat(firstColumn(restored.feed(null))).containsExactly(5, 6, 3, 4);

    QueueNegativeSampler other = queue(8);
    assertThatThrownBy(() -> other.loadState(new ByteArrayInputStream(bytes.toByteArray())))
        .isInstanceOf(IOException.class).hasMessageContaining("4 slots");
  }

  @Test
  void refusesAStepWithoutKeysAndABadSize() {
    QueueNegativeSampler sampler = queue(4);
    build(sampler, GraphBuilder.create(1), new float[1][2], new float[1][2]);
    assertThatThrownBy(() -> sampler.afterStep(null, null)).hasMessageContaining("needs each step's keys");
    assertThatThrownBy(() -> queue(0))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.sampler.size");
  }
}
