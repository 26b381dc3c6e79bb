package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.runtime.training.TrainedMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The behaviour every method must show, as a JUnit test to extend: name the task type (and
 * optionally settings and step count) and inherit the checks.
 */
public abstract class PretextTaskConformance {

  /** The task type under test. */
  protected abstract String taskType();

  /** HOCON overriding the task's defaults for the test (default: none). */
  protected String taskSettings() {
    return "";
  }

  /** Steps of the smoke run. */
  protected int steps() {
    return 50;
  }

  /**
   * The first {@code n} training images the checks use (default: the grayscale sample; a task
   * that needs colour returns {@link TestKit#colourSampleImages}).
   */
  protected ImageSet images(int n) {
    return TestKit.sampleImages(n);
  }

  /** Batch size of the smoke run. */
  protected int batchSize() {
    return 64;
  }

  @Test
  void preparesEveryPlaceholderOfItsGraph() {
    ImageSet images = images(8);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 1, images.shape());
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), images.shape());
    Map<String, INDArray> prepared = task.prepare(images.images(), new Random(1));
    assertThat(prepared.keySet()).containsAll(g.sameDiff().inputs());
    assertThat(tg.representationSize()).isPositive();
  }

  @Test
  void sameSeedPreparesTheSameBatch() {
    ImageSet sample = images(8);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 1, sample.shape());
    INDArray images = sample.images();
    Map<String, INDArray> a = task.prepare(images, new Random(7));
    Map<String, INDArray> b = task.prepare(images, new Random(7));
    assertThat(a.keySet()).isEqualTo(b.keySet());
    a.forEach((k, v) -> assertThat(v.equals(b.get(k))).as(k).isTrue());
  }

  @Test
  void lossIsFiniteAndFallsOnTheSample() {
    ImageSet data = images(2048);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 3, data.shape());
    TrainedMethod trained = TestKit.train(task, TestKit.smallEncoder(3), data,
        steps(), batchSize(), 3);
    List<Double> losses = trained.stepLosses();
    assertThat(losses).hasSize(steps()).allMatch(Double::isFinite);
    int window = Math.max(1, steps() / 5);
    double first = losses.subList(0, window).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(steps() - window, steps()).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last %d steps vs the first %d", window, window).isLessThan(first);
  }

  @Test
  void theTrainedGraphCalibratesEveryBatchNormOnBatchesItsTaskPrepares() {
    ImageSet data = images(128);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 4, data.shape());
    TrainedMethod trained = TestKit.train(task, TestKit.smallEncoder(4), data, 2, 32, 4);
    for (String running : trained.runningStatistics()) {
      trained.graph().getVariable(running).getArr().assign(Float.NaN);
    }
    FrozenEncoder.calibrateTrainingGraph(trained, data, 2, 32, 4);
    for (String running : trained.runningStatistics()) {
      INDArray value = trained.graph().getVariable(running).getArr();
      assertThat(value.isNaN().any() || value.isInfinite().any()).as("%s after calibration", running).isFalse();
    }
  }

  @Test
  void anExportedEncoderEmbedsPlainImagesAsTheyWereEvaluated() throws IOException {
    ImageSet data = images(256);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 5, data.shape());
    TrainedMethod trained = TestKit.train(task, TestKit.smallEncoder(5), data, 4, 32, 5);
    ImageSet sample = data.subset(new int[] {0, 3, 7, 11, 19, 42});
    // As the runtime evaluates it: the task's representation graph, calibrated, its statistics
    // written back into the trained graph that is kept.
    FrozenEncoder evaluated = FrozenEncoder.pretrained(trained, TestKit.smallEncoder(5), data.shape(), 5);
    evaluated.calibrate(data, 2, 64, 5);
    INDArray measured = evaluated.represent(sample, 4);
    evaluated.copyStatisticsInto(trained.graph());

    // As pretext export-encoder builds it: the kept graph read back, the representation rebuilt in
    // a graph of its own that takes plain images, encoder weights copied by name.
    Path kept = Files.createTempFile("pretext-conformance", ".fb");
    try {
      trained.graph().save(kept.toFile(), false);
      RepresentationGraph exported = RepresentationGraph.build(TestKit.smallEncoder(9), task, data.shape(), 9)
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
}
