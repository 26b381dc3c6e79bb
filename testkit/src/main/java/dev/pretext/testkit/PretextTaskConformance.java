package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.runtime.training.Checkpoints;
import dev.pretext.runtime.training.TrainedMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The behaviour every method must show, as a JUnit test to extend: name the task type (and
 * optionally settings, images and step count) and inherit the checks — prepare and beforeStep
 * feed every placeholder; steps through beforeStep and afterStep train finite weights; the state a
 * checkpoint keeps (the task's and its samplers'), loaded into a fresh task, gives the next step
 * the original's inputs and moves on as the original's; one seed gives one run, another seed
 * another network; the loss is finite and falls on the embedded sample; batch norm calibrates on
 * prepared batches; an exported encoder embeds plain images as they were evaluated. Training
 * runs, checkpointed state, calibration and the evaluation graph are the runtime's own code, so
 * the checks follow the path a suite takes.
 */
public abstract class PretextTaskConformance {

  /** The task type under test. */
  protected abstract String taskType();

  /** HOCON overriding the task's defaults for the test (default: none). */
  protected String taskSettings() {
    return "";
  }

  /**
   * The encoder every check builds, trains and evaluates the task with (default: {@link
   * TestKit#smallEncoder}); a subclass returning another runs the same checks on it, e.g. {@link
   * TestKit#smallResNet}.
   */
  protected Encoder encoder(long seed) {
    return TestKit.smallEncoder(seed);
  }

  /** Steps of the smoke run. */
  protected int steps() {
    return 50;
  }

  /**
   * The first step the falling-loss check compares (default 0): a task whose first steps are not
   * comparable with the later ones (MoCo's, until its queue is full) starts later.
   */
  protected int lossComparedFrom() {
    return 0;
  }

  /** Extra checks on the smoke run's step losses (default: none), e.g. the range a loss lives in. */
  protected void checkLosses(List<Double> losses) {}

  /**
   * The first {@code n} training images the checks use (default: the grayscale sample; a task
   * that needs colour returns {@link TestKit#colourSampleImages}).
   */
  protected TestImages images(int n) {
    return TestKit.sampleImages(n);
  }

  /** Batch size of the smoke run. */
  protected int batchSize() {
    return 64;
  }

  private PretextTask newTask(long seed) {
    return TestKit.task(taskType(), taskSettings(), seed, images(1).shape());
  }

  @Test
  void preparesAndFeedsEveryPlaceholderOfItsGraph() {
    TestImages images = images(8);
    OneStep run = new OneStep(newTask(1), encoder(1), 1, 10, images.shape());
    Map<String, INDArray> prepared = run.task.prepare(images.images(), new Random(1));
    Map<String, INDArray> fed = run.task.beforeStep(new HashMap<>(prepared), run.context());
    assertThat(fed.keySet()).as("what prepare and beforeStep give").containsAll(run.graph.inputs());
    fed.forEach((name, value) -> assertThat(value.isNaN().any() || value.isInfinite().any())
        .as("%s is finite", name).isFalse());
    assertThat(run.taskGraph.representationSize()).isPositive();
  }

  @Test
  void sameSeedPreparesTheSameBatch() {
    PretextTask task = newTask(1);
    INDArray images = images(8).images();
    Map<String, INDArray> a = task.prepare(images, new Random(7));
    Map<String, INDArray> b = task.prepare(images, new Random(7));
    assertThat(a.keySet()).isEqualTo(b.keySet());
    a.forEach((k, v) -> assertThat(v.equals(b.get(k))).as(k).isTrue());
  }

  @Test
  void stepsThroughBeforeStepAndAfterStepTrainFiniteWeights() {
    TestImages images = images(32);
    int steps = 3;
    OneStep run = new OneStep(newTask(2), encoder(2), 2, steps, images.shape());
    Map<String, INDArray> initial = trainable(run.graph);
    for (int k = 0; k < steps; k++) {
      assertThat(run.context().step()).isEqualTo(k);
      Map<String, INDArray> inputs = run.inputs(images.images());
      assertThat(inputs.keySet()).as("step %d: beforeStep's result", k).containsAll(run.graph.inputs());
      run.fit(inputs);
      run.finish();
      int step = k;
      trainable(run.graph).forEach((name, value) -> assertThat(value.isNaN().any() || value.isInfinite().any())
          .as("step %d (after afterStep): %s is finite", step, name).isFalse());
    }
    assertThat(run.context().step()).as("afterStep's context advances").isEqualTo(steps);
    Map<String, INDArray> trained = trainable(run.graph);
    assertThat(trained.keySet()).isEqualTo(initial.keySet()).isNotEmpty();
    assertThat(trained).as("%d steps change some trainable weight", steps)
        .anySatisfy((name, value) -> assertThat(value.equals(initial.get(name))).as(name).isFalse());
  }

  @Test
  void aFreshTaskGivenTheCheckpointedStateContinuesAsTheOriginal(@TempDir Path dir) throws IOException {
    // Two steps, then the state a checkpoint keeps outside the graph (the task's saveState and its
    // samplers' state, written by the runtime's checkpoint code) loaded into a freshly created
    // task whose graph holds the original's arrays, as the engine restores it.
    TestImages images = images(32);
    OneStep original = new OneStep(newTask(6), encoder(6), 6, 10, images.shape());
    original.run(images.images());
    original.run(images.images());
    Path saved = dir.resolve("saved");
    Checkpoints.saveTaskState(original.task, saved);

    OneStep resumed = new OneStep(newTask(6), encoder(6), 6, 10, images.shape());
    for (SDVariable v : original.graph.variables()) {
      if (v.getArr() != null && resumed.graph.hasVariable(v.name())
          && resumed.graph.getVariable(v.name()).getArr() != null
          && (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT)) {
        resumed.graph.getVariable(v.name()).getArr().assign(v.getArr());
      }
    }
    Checkpoints.loadTaskState(resumed.task, saved);
    resumed.resumeAt(2);
    Path reloaded = dir.resolve("reloaded");
    Checkpoints.saveTaskState(resumed.task, reloaded);
    assertThat(state(reloaded)).as("the state saved again after loading it").isEqualTo(state(saved));

    Map<String, INDArray> next = original.inputs(images.images());
    Map<String, INDArray> resumedNext = resumed.inputs(images.images());
    assertThat(resumedNext.keySet()).isEqualTo(next.keySet());
    next.forEach((name, value) -> assertThat(resumedNext.get(name).equals(value))
        .as("step 2's '%s' (prepare and beforeStep) after the state round trip", name).isTrue());

    // afterStep on the restored state moves it as it moves the original's.
    original.finish();
    resumed.finish();
    Checkpoints.saveTaskState(original.task, dir.resolve("original-after"));
    Checkpoints.saveTaskState(resumed.task, dir.resolve("resumed-after"));
    assertThat(state(dir.resolve("resumed-after"))).as("the state after step 2's afterStep")
        .isEqualTo(state(dir.resolve("original-after")));
  }

  @Test
  void oneSeedGivesOneRunAndAnotherSeedAnotherNetwork() {
    TestImages data = images(64);
    TrainedTask a = TestKit.train(newTask(7), encoder(7), data, 1, 32, 7);
    TrainedTask b = TestKit.train(newTask(7), encoder(7), data, 1, 32, 7);
    TrainedTask other = TestKit.train(newTask(8), encoder(8), data, 1, 32, 8);
    assertThat(b.stepLosses()).as("first step's loss, same seed").isEqualTo(a.stepLosses());
    Map<String, float[]> weights = values(a.graph());
    assertThat(values(b.graph())).as("weights after the step, same seed").containsExactlyInAnyOrderEntriesOf(weights);
    Map<String, float[]> otherWeights = values(other.graph());
    assertThat(weights.keySet()).anySatisfy(name -> assertThat(otherWeights.get(name))
        .as("%s with another seed", name).isNotEqualTo(weights.get(name)));
  }

  @Test
  void lossIsFiniteAndFallsOnTheSample() {
    TestImages data = images(2048);
    PretextTask task = newTask(3);
    TrainedTask trained = TestKit.train(task, encoder(3), data, steps(), batchSize(), 3);
    List<Double> losses = trained.stepLosses();
    assertThat(losses).hasSize(steps()).allMatch(Double::isFinite);
    checkLosses(losses);
    int from = lossComparedFrom();
    int window = Math.max(1, (steps() - from) / 5);
    double first = losses.subList(from, from + window).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(steps() - window, steps()).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last %d steps vs steps %d..%d", window, from, from + window - 1)
        .isLessThan(first);
  }

  @Test
  void theTrainedGraphCalibratesEveryBatchNormOnBatchesItsTaskPrepares() {
    TestImages data = images(128);
    PretextTask task = newTask(4);
    TrainedMethod trained = TestKit.train(task, encoder(4), data, 2, 32, 4).method();
    // A finite sentinel: in training mode a layer mixes its running statistics in with weight 0,
    // so NaN would poison the layers after it (BYOL's predictor after its projector).
    float sentinel = 12345f;
    for (String running : trained.runningStatistics()) {
      trained.graph().getVariable(running).getArr().assign(sentinel);
    }
    FrozenEncoder.calibrateTrainingGraph(trained, data.imageSet(), 2, 32, 4);
    for (String running : trained.runningStatistics()) {
      INDArray value = trained.graph().getVariable(running).getArr();
      assertThat(value.isNaN().any() || value.isInfinite().any()).as("%s after calibration", running).isFalse();
      assertThat(value.eq(sentinel).any()).as("%s is calibrated", running).isFalse();
    }
  }

  @Test
  void anExportedEncoderEmbedsPlainImagesAsTheyWereEvaluated() throws IOException {
    TestImages data = images(256);
    PretextTask task = newTask(5);
    TrainedMethod trained = TestKit.train(task, encoder(5), data, 4, 32, 5).method();
    TestImages sample = data.subset(0, 3, 7, 11, 19, 42);
    // As the runtime evaluates it: the task's representation graph, calibrated, its statistics
    // written back into the trained graph that is kept.
    FrozenEncoder evaluated = FrozenEncoder.pretrained(trained, encoder(5), data.shape(), 5);
    evaluated.calibrate(data.imageSet(), 2, 64, 5);
    INDArray measured = evaluated.represent(sample.imageSet(), 4);
    evaluated.copyStatisticsInto(trained.graph());

    // As pretext export-encoder builds it: the kept graph read back, the representation rebuilt in
    // a graph of its own that takes plain images, encoder weights copied by name.
    Path kept = Files.createTempFile("pretext-conformance", ".fb");
    try {
      trained.graph().save(kept.toFile(), false);
      RepresentationGraph exported = RepresentationGraph.build(encoder(9), task, data.shape(), 9)
          .withEncoderOf(SameDiff.load(kept.toFile(), false));
      exported.graph().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
      INDArray embedded = exported.graph().output(Map.of(exported.input(), sample.images()), exported.output())
          .get(exported.output());

      assertThat(exported.size()).isEqualTo(trained.taskGraph().representationSize());
      assertThat(embedded.shape()).containsExactly(measured.shape());
      assertThat(embedded.sub(measured).amaxNumber().doubleValue())
          .as("largest difference to the evaluated representation (of max %s)", measured.amaxNumber())
          .isLessThan(1e-4);
    } finally {
      Files.deleteIfExists(kept);
    }
  }

  /** Copies of the graph's trainable variables. */
  private static Map<String, INDArray> trainable(SameDiff graph) {
    Map<String, INDArray> copy = new HashMap<>();
    graph.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
        .forEach(v -> copy.put(v.name(), v.getArr().dup()));
    return copy;
  }

  /** The trainable variables' values, exactly. */
  private static Map<String, float[]> values(SameDiff graph) {
    Map<String, float[]> values = new HashMap<>();
    trainable(graph).forEach((name, value) -> values.put(name, value.castTo(DataType.FLOAT).dup('c').data().asFloat()));
    return values;
  }

  /** A digest of every file of the task and sampler state saved in {@code checkpoint}, by relative path. */
  private static Map<String, String> state(Path checkpoint) throws IOException {
    Map<String, String> files = new TreeMap<>();
    Set<Path> roots = new HashSet<>(List.of(checkpoint.resolve("task"), checkpoint.resolve("samplers")));
    for (Path root : roots) {
      assertThat(root).as("the checkpoint's state").isDirectory();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path file : walk.filter(Files::isRegularFile).toList()) {
          files.put(checkpoint.relativize(file).toString(),
              java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                  .digest(Files.readAllBytes(file))));
        }
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return files;
  }
}
