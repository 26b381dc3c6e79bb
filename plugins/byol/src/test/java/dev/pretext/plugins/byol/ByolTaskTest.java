package dev.pretext.plugins.byol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import dev.pretext.testkit.OneStep;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import dev.pretext.toolkit.graph.MomentumNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The testkit's conformance checks (its resume check covers the target network: the resumed
 * steps' targets come from it), with the range of the loss, plus BYOL's own behaviour.
 */
class ByolTaskTest extends PretextTaskConformance {

  private static final int BATCH = 64;

  private static ByolTask task(String hocon, long seed) {
    return (ByolTask) TestKit.task("byol", hocon, seed);
  }

  @Override
  protected String taskType() {
    return "byol";
  }

  @Override
  protected void checkLosses(List<Double> losses) {
    // Two negative-cosine terms, each in [0, 4].
    assertThat(losses).allMatch(l -> l >= 0 && l <= 8);
  }

  @Test
  void beforeStepFeedsTheTargetProjectionsOfBothViews() {
    OneStep run = new OneStep(task("", 1), 1, 10);
    Map<String, INDArray> prepared = run.task.prepare(TestKit.sampleImages(8).images(), new Random(1));
    assertThat(prepared).containsOnlyKeys(ByolTask.VIEWS);
    assertThat(prepared.get(ByolTask.VIEWS).shape()).containsExactly(16, 1, 28, 28);
    Map<String, INDArray> fed = run.task.beforeStep(prepared, run.context());
    assertThat(run.graph.inputs()).contains(ByolTask.TARGET_Z1, ByolTask.TARGET_Z2);
    assertThat(fed.get(ByolTask.TARGET_Z1).shape()).containsExactly(8, 128);
    assertThat(fed.get(ByolTask.TARGET_Z2).shape()).containsExactly(8, 128);
    assertThat(run.taskGraph.representationSize()).isEqualTo(32);
  }

  @Test
  void momentumRisesFromItsBaseToOneAlongACosine() {
    long total = 101;
    assertThat(ByolTask.momentum(0.99, 0, total)).isEqualTo(0.99);
    assertThat(ByolTask.momentum(0.99, 50, total)).isCloseTo(0.995, within(1e-12));
    assertThat(ByolTask.momentum(0.99, 100, total)).isEqualTo(1.0);
    double previous = 0;
    for (long k = 0; k < total; k++) {
      double tau = ByolTask.momentum(0.99, k, total);
      assertThat(tau).as("step %d", k).isGreaterThanOrEqualTo(previous).isBetween(0.99, 1.0);
      previous = tau;
    }
    assertThat(ByolTask.momentum(0.9, 0, 1)).as("a one-step run ends at 1").isEqualTo(1.0);
  }

  @Test
  void targetMovesOnlyByTheScheduledMomentumAverageOfTheOnlineNetwork() {
    long total = 3;
    OneStep run = new OneStep(task("", 2), 2, total);
    MomentumNetwork target = ((ByolTask) run.task).targetNetwork();

    // Nothing in the target network is trainable, its projections enter the trained graph as
    // data, and it follows exactly the online encoder and projector (not the predictor).
    assertThat(target.graph().variables()).noneMatch(v -> v.getVariableType() == VariableType.VARIABLE);
    assertThat(run.graph.getVariable(ByolTask.TARGET_Z1).getVariableType()).isEqualTo(VariableType.PLACEHOLDER);
    assertThat(target.parameters()).containsExactlyInAnyOrderElementsOf(run.graph.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(v -> v.name())
        .filter(n -> !n.startsWith("predictor/")).toList());
    assertThat(target.parameters()).anyMatch(n -> n.startsWith("projector/"));

    INDArray images = TestKit.sampleImages(BATCH).images();
    for (long k = 0; k < total; k++) {
      double tau = ByolTask.momentum(0.99, k, total);
      Map<String, INDArray> targetBefore = snapshot(target.graph(), target.parameters());
      run.fit(run.inputs(images));
      assertThat(snapshot(target.graph(), target.parameters())).as("the optimizer step leaves the target alone")
          .allSatisfy((name, value) -> assertThat(value.equals(targetBefore.get(name))).as(name).isTrue());
      run.finish();
      for (String name : target.parameters()) {
        INDArray online = run.graph.getVariable(name).getArr();
        INDArray expected = targetBefore.get(name).mul(tau).add(online.mul(1 - tau));
        assertThat(target.graph().getVariable(name).getArr().equalsWithEps(expected, 1e-6))
            .as("step %d, %s", k, name).isTrue();
      }
      String conv = "encoder/conv1_w";
      double moved = maxDifference(target.graph().getVariable(conv).getArr(), targetBefore.get(conv));
      if (k < total - 1) {
        assertThat(moved).as("step %d: the target moved", k).isPositive();
      } else {
        assertThat(moved).as("last step: τ = 1 keeps the target").isZero();
      }
    }
  }

  @Test
  void targetNetworkStartsAsTheOnlineProjectionAndRepeatsItself() {
    OneStep run = new OneStep(task("", 4), 4, 10);
    INDArray views = run.task.prepare(TestKit.sampleImages(32).images(), new Random(4)).get(ByolTask.VIEWS);
    MomentumNetwork.withoutArrayReuse(run.graph);
    INDArray online = run.graph.output(Map.of(ByolTask.VIEWS, views), ByolTask.PROJECTIONS)
        .get(ByolTask.PROJECTIONS);
    MomentumNetwork target = ((ByolTask) run.task).targetNetwork();
    // Repeated calls: M2.1's default array cache changes linear -> batch norm -> ReLU -> linear's
    // output from call to call; the target network must not.
    for (int i = 0; i < 3; i++) {
      assertThat(target.output(views).equalsWithEps(online, 1e-5)).as("call %d", i).isTrue();
    }
  }

  @Test
  void badSettingsAreRejectedWithTheirKey() {
    assertThatThrownBy(() -> task("base-momentum = -0.1", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.base-momentum");
    assertThatThrownBy(() -> task("predictor.output = 64", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("projector.output");
    assertThatThrownBy(() -> task("loss { type = info-nce }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("negative-cosine");
    // mse reads the same roles, but compares probabilities, not embeddings.
    assertThatThrownBy(() -> task("loss { type = mse }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.loss.type")
        .hasMessageContaining("the loss 'mse' takes probabilities as 'prediction' but byol gives it as embeddings");
  }

  private static double maxDifference(INDArray a, INDArray b) {
    return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
  }

  private static Map<String, INDArray> snapshot(org.nd4j.autodiff.samediff.SameDiff graph, List<String> names) {
    Map<String, INDArray> copy = new HashMap<>();
    names.forEach(n -> copy.put(n, graph.getVariable(n).getArr().dup()));
    return copy;
  }
}
