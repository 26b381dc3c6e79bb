package dev.pretext.plugins.moco;

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
 * The testkit's conformance checks with a small queue, the falling loss compared once the queue
 * is full (its resume check covers the key network and the queue: after the first epoch the
 * queue holds keys, so the resumed step's loss depends on both), plus MoCo's own behaviour.
 */
class MoCoTaskTest extends PretextTaskConformance {

  /** A small queue fills within the first steps, so most of the smoke run sees a full one. */
  private static final String SMALL_QUEUE = "sampler.size = 256";
  private static final int BATCH = 64;

  private static MoCoTask task(String hocon, long seed) {
    return (MoCoTask) TestKit.task("moco", hocon, seed);
  }

  @Override
  protected String taskType() {
    return "moco";
  }

  @Override
  protected String taskSettings() {
    return SMALL_QUEUE;
  }

  /** From step 256 / 64 = 4 on, every step compares against 256 queued keys: like with like. */
  @Override
  protected int lossComparedFrom() {
    return 256 / BATCH;
  }

  @Override
  protected void checkLosses(List<Double> losses) {
    // Step 0 has an empty queue: the positive is the only candidate, so the loss is 0.
    assertThat(losses.get(0)).isCloseTo(0, within(1e-6));
  }

  @Test
  void beforeStepFeedsNormalizedKeysAndTheQueueThatPrepareLeavesOut() {
    OneStep run = new OneStep(task(SMALL_QUEUE, 1), 1, 10);
    INDArray images = TestKit.sampleImages(8).images();
    Map<String, INDArray> prepared = run.task.prepare(images, new Random(1));
    assertThat(prepared).containsOnlyKeys(MoCoTask.QUERY_VIEWS, MoCoTask.KEY_VIEWS);
    assertThat(prepared.get(MoCoTask.QUERY_VIEWS).equals(prepared.get(MoCoTask.KEY_VIEWS))).as("two different views")
        .isFalse();
    // The key views go to the key network in beforeStep: the trained graph lacks them.
    assertThat(run.graph.inputs()).doesNotContain(MoCoTask.KEY_VIEWS);
    Map<String, INDArray> fed = run.task.beforeStep(prepared, run.context());
    assertThat(run.graph.inputs()).contains(MoCoTask.KEYS, "sampler/queue", "sampler/queue_mask");
    assertThat(fed.get(MoCoTask.KEYS).shape()).containsExactly(8, 128);
    assertThat(java.util.Arrays.stream(fed.get(MoCoTask.KEYS).norm2(1).toDoubleVector()).boxed().toList())
        .as("keys are L2-normalized").allSatisfy(n -> assertThat(n).isCloseTo(1, within(1e-4)));
    assertThat(fed.get("sampler/queue").shape()).containsExactly(256, 128);
    assertThat(run.taskGraph.representationSize()).isEqualTo(32);
  }

  @Test
  void keyNetworkMovesOnlyByTheMomentumAverageOfTheQuery() {
    OneStep run = new OneStep(task(SMALL_QUEUE, 2), 2, 10);
    MomentumNetwork keys = ((MoCoTask) run.task).keyNetwork();
    double m = ((MoCoTask) run.task).momentum();
    assertThat(m).isEqualTo(0.99);

    // The key network has no trainable variable: nothing in it can receive a gradient. Keys
    // enter the trained graph as data (a placeholder), and the key network follows every weight
    // of the query encoder and head.
    assertThat(keys.graph().variables()).noneMatch(v -> v.getVariableType() == VariableType.VARIABLE);
    assertThat(run.graph.getVariable(MoCoTask.KEYS).getVariableType()).isEqualTo(VariableType.PLACEHOLDER);
    assertThat(keys.parameters()).containsExactlyInAnyOrderElementsOf(run.graph.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(v -> v.name()).toList());

    // Step 0 sees an empty queue (zero loss, zero gradient); step 1 has negatives to learn from.
    INDArray images = TestKit.sampleImages(BATCH).images();
    run.run(images);
    Map<String, INDArray> keyBefore = snapshot(keys, keys.parameters());
    Map<String, INDArray> queryBefore = snapshot(run, keys.parameters());
    run.fit(run.inputs(images));
    assertThat(snapshot(keys, keys.parameters())).as("the optimizer step leaves the key network alone")
        .allSatisfy((name, value) -> assertThat(value.equals(keyBefore.get(name))).as(name).isTrue());
    run.finish();

    for (String name : keys.parameters()) {
      INDArray queryAfter = run.graph.getVariable(name).getArr();
      INDArray keyAfter = keys.graph().getVariable(name).getArr();
      INDArray expected = keyBefore.get(name).mul(m).add(queryAfter.mul(1 - m));
      assertThat(keyAfter.equalsWithEps(expected, 1e-6)).as(name).isTrue();
    }
    String conv = "encoder/conv1_w";
    assertThat(maxDifference(run.graph.getVariable(conv).getArr(), queryBefore.get(conv))).as("the query was trained")
        .isPositive();
    assertThat(maxDifference(keys.graph().getVariable(conv).getArr(), keyBefore.get(conv))).as("the key moved")
        .isPositive();
  }

  @Test
  void withoutMomentumTheKeyNetworkComputesTheQueries() {
    // m = 0: after a step the key network is the query network, so in-place updates must reach
    // its computation, batch norm on batch statistics included.
    OneStep run = new OneStep(task(SMALL_QUEUE + "\nmomentum = 0", 4), 4, 10);
    run.run(TestKit.sampleImages(BATCH).images());
    INDArray images = TestKit.sampleImages(16).images();
    MomentumNetwork.withoutArrayReuse(run.graph);
    INDArray queries = run.graph.output(Map.of(MoCoTask.QUERY_VIEWS, images), MoCoTask.QUERIES)
        .get(MoCoTask.QUERIES);
    MomentumNetwork keyNetwork = ((MoCoTask) run.task).keyNetwork();
    assertThat(keyNetwork.output(images).equalsWithEps(queries, 1e-5)).isTrue();
    // Again: M2.1's array cache would change the head's output from the second call on.
    assertThat(keyNetwork.output(images).equalsWithEps(queries, 1e-5)).isTrue();
  }

  @Test
  void aSamplerThatNeedsWhatMocoDoesNotProvideIsNamedWithWhatIsMissing() {
    assertThatThrownBy(() -> task("sampler { type = patch-grid }", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.sampler.type")
        .hasMessageContaining("the sampler 'patch-grid' needs queries and keys as [N, P, D] patch grids (grid),"
            + " which moco does not provide")
        .hasMessageContaining("use queue");
  }

  @Test
  void badSettingsAreRejectedWithTheirKey() {
    assertThatThrownBy(() -> task("momentum = 1.5", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.momentum");
    assertThatThrownBy(() -> task("head.output = 0", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.head.output");
    assertThatThrownBy(() -> task("loss { type = cross-entropy }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("info-nce");
    assertThatThrownBy(() -> task("augmentations = []", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("at least one augmentation");
  }

  private static double maxDifference(INDArray a, INDArray b) {
    return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
  }

  private static Map<String, INDArray> snapshot(MomentumNetwork network, List<String> names) {
    Map<String, INDArray> copy = new HashMap<>();
    names.forEach(n -> copy.put(n, network.graph().getVariable(n).getArr().dup()));
    return copy;
  }

  private static Map<String, INDArray> snapshot(OneStep run, List<String> names) {
    Map<String, INDArray> copy = new HashMap<>();
    names.forEach(n -> copy.put(n, run.graph.getVariable(n).getArr().dup()));
    return copy;
  }
}
