package dev.pretext.plugins.moco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import dev.pretext.testkit.OneStep;
import dev.pretext.testkit.TestKit;
import dev.pretext.toolkit.graph.MomentumNetwork;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The conformance checks of {@code PretextTaskConformance}, with the placeholders of the key
 * network and the queue (fed by beforeStep, not prepare) counted, plus MoCo's own behaviour.
 */
class MoCoTaskTest {

  /** A small queue fills within the first steps, so most of the smoke run sees a full one. */
  private static final String SMALL_QUEUE = "sampler.size = 256";
  private static final int BATCH = 64;

  private static MoCoTask task(String hocon, long seed) {
    return (MoCoTask) TestKit.task("moco", hocon, seed);
  }

  @Test
  void preparesAndFeedsEveryPlaceholderOfItsGraph() {
    OneStep run = new OneStep(task(SMALL_QUEUE, 1), 1, 10);
    INDArray images = TestKit.sampleImages(8).images();
    Map<String, INDArray> prepared = run.task.prepare(images, new Random(1));
    assertThat(prepared).containsOnlyKeys(MoCoTask.QUERY_VIEWS, MoCoTask.KEY_VIEWS);
    Map<String, INDArray> fed = run.task.beforeStep(prepared, run.context());
    assertThat(fed.keySet()).containsAll(run.graph.inputs());
    assertThat(run.graph.inputs()).contains(MoCoTask.KEYS, "sampler/queue", "sampler/queue_mask");
    assertThat(fed.get(MoCoTask.KEYS).shape()).containsExactly(8, 128);
    assertThat(java.util.Arrays.stream(fed.get(MoCoTask.KEYS).norm2(1).toDoubleVector()).boxed().toList())
        .as("keys are L2-normalized").allSatisfy(n -> assertThat(n).isCloseTo(1, within(1e-4)));
    assertThat(fed.get("sampler/queue").shape()).containsExactly(256, 128);
    assertThat(run.taskGraph.representationSize()).isEqualTo(32);
  }

  @Test
  void theTrainedGraphCalibratesItsBatchNormOnPreparedBatchesWhoseKeyViewsItLacks() {
    TrainedMethod trained = TestKit.train(task(SMALL_QUEUE, 2), TestKit.smallEncoder(2), TestKit.sampleImages(128),
        2, 32, 2);
    assertThat(trained.graph().inputs()).doesNotContain(MoCoTask.KEY_VIEWS);
    assertThat(trained.runningStatistics()).isNotEmpty();
    for (String running : trained.runningStatistics()) {
      trained.graph().getVariable(running).getArr().assign(Float.NaN);
    }
    FrozenEncoder.calibrateTrainingGraph(trained, TestKit.sampleImages(128), 2, 32, 2);
    for (String running : trained.runningStatistics()) {
      INDArray value = trained.graph().getVariable(running).getArr();
      assertThat(value.isNaN().any() || value.isInfinite().any()).as("%s after calibration", running).isFalse();
    }
  }

  @Test
  void sameSeedPreparesTheSameBatch() {
    PretextTask task = task("", 1);
    INDArray images = TestKit.sampleImages(8).images();
    Map<String, INDArray> a = task.prepare(images, new Random(7));
    Map<String, INDArray> b = task.prepare(images, new Random(7));
    assertThat(a.keySet()).isEqualTo(b.keySet());
    a.forEach((k, v) -> assertThat(v.equals(b.get(k))).as(k).isTrue());
    assertThat(a.get(MoCoTask.QUERY_VIEWS).equals(a.get(MoCoTask.KEY_VIEWS))).as("two different views").isFalse();
  }

  @Test
  void lossIsFiniteAndFallsOnceTheQueueIsFull() {
    int steps = 50;
    TrainedMethod trained = TestKit.train(task(SMALL_QUEUE, 3), TestKit.smallEncoder(3),
        TestKit.sampleImages(2048), steps, BATCH, 3);
    List<Double> losses = trained.stepLosses();
    assertThat(losses).hasSize(steps).allMatch(Double::isFinite);
    // Step 0 has an empty queue: the positive is the only candidate, so the loss is 0.
    assertThat(losses.get(0)).isCloseTo(0, within(1e-6));
    // From step 256 / 64 = 4 on, every step compares against 256 queued keys: compare like with like.
    int full = 256 / BATCH;
    int window = 10;
    double first = mean(losses.subList(full, full + window));
    double last = mean(losses.subList(steps - window, steps));
    assertThat(last).as("mean loss of the last %d steps vs steps %d..%d", window, full, full + window - 1)
        .isLessThan(first);
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(d -> d).average().orElseThrow();
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
  void savedStateRestoresTheKeyNetwork(@TempDir Path folder) throws Exception {
    OneStep run = new OneStep(task(SMALL_QUEUE, 5), 5, 10);
    INDArray images = TestKit.sampleImages(BATCH).images();
    run.run(images);
    run.run(images);
    run.task.saveState(folder);

    OneStep resumed = new OneStep(task(SMALL_QUEUE, 6), 6, 10);
    resumed.task.loadState(folder);
    MomentumNetwork saved = ((MoCoTask) run.task).keyNetwork();
    MomentumNetwork loaded = ((MoCoTask) resumed.task).keyNetwork();
    assertThat(snapshot(loaded, loaded.parameters())).allSatisfy((name, value) ->
        assertThat(value.equals(saved.graph().getVariable(name).getArr())).as(name).isTrue());
  }

  @Test
  void theCheckpointKeepsTheQueueByteForByteAndAResumedRunEqualsAnUninterruptedOne(@TempDir Path dir)
      throws Exception {
    Path work = dir.resolve("work");
    // 4 steps an epoch: after the first epoch the 256-slot queue holds 4 batches of keys.
    MoCoTask interrupted = task(SMALL_QUEUE, 7);
    trainEpochs(interrupted, 1, work, false);
    byte[] checkpointed = Files.readAllBytes(work.resolve("checkpoint/samplers/sampler.bin"));
    assertThat(checkpointed).isEqualTo(samplerState(interrupted));
    // size, width, write position, fill, then 256 slots of 128 floats
    assertThat(checkpointed).hasSize(4 * 4 + 256 * 128 * 4);

    MoCoTask restored = task(SMALL_QUEUE, 7);
    trainEpochs(restored, 1, work, true);
    assertThat(samplerState(restored)).as("restored from the checkpoint, nothing left to train")
        .isEqualTo(checkpointed);

    TrainedMethod resumed = trainEpochs(task(SMALL_QUEUE, 7), 2, work, true);
    MoCoTask straightTask = task(SMALL_QUEUE, 7);
    TrainedMethod straight = trainEpochs(straightTask, 2, dir.resolve("straight"), false);
    // Step 4, the first after the resume, compares against the restored queue (an empty one
    // would give a loss of 0); every later step against what the restored queue became.
    assertThat(resumed.stepLosses().get(4)).isGreaterThan(1);
    assertThat(resumed.stepLosses()).isEqualTo(straight.stepLosses());
    assertThat(Files.readAllBytes(work.resolve("checkpoint/samplers/sampler.bin")))
        .isEqualTo(samplerState(straightTask));
  }

  private static TrainedMethod trainEpochs(MoCoTask task, int epochs, Path work, boolean resume) {
    return new TrainingEngine().train(new TrainingEngine.Run("moco", task, TestKit.smallEncoder(7),
        TestKit.sampleImages(4 * BATCH), new Suite.TrainingSettings(epochs, BATCH, 1e-3, 0, 2, 0), 7, work,
        resume));
  }

  /** What the runtime's checkpoint writes for the task's sampler. */
  private static byte[] samplerState(MoCoTask task) throws Exception {
    List<Components.TaskSampler> samplers = Components.samplersOf(task);
    assertThat(samplers).extracting(Components.TaskSampler::key).containsExactly("sampler");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    samplers.get(0).sampler().saveState(bytes);
    return bytes.toByteArray();
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
