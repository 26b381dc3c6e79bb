package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.TrainedMethod;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
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
  void representationGraphEqualsThePreparedRepresentation() {
    ImageSet data = images(64);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 5, data.shape());
    TrainedMethod trained = TestKit.train(task, TestKit.smallEncoder(5), data, 4, 32, 5);
    SameDiff graph = trained.graph();
    PretextTask.TaskGraph tg = trained.taskGraph();
    INDArray sample = data.batch(new int[] {0, 3, 7, 11, 19, 42});
    GraphBuilder alone = GraphBuilder.create(9);
    SDVariable images = alone.placeholder("images", data.shape().batchShape());
    dev.pretext.api.EncoderModule module = TestKit.smallEncoder(9)
        .create(alone.scope(GraphBuilder.ENCODER_SCOPE), task.encoderShape(data.shape()));
    Encoder.Representation rep = task.representation(alone, module, images, data.shape());
    EncoderExport.copyEncoderArrays(graph, alone.sameDiff());
    for (float training : new float[] {0f, 1f}) {
      graph.getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(training);
      alone.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(training);
      INDArray prepared = graph.output(task.prepareForRepresentation(tg, sample), tg.representation())
          .get(tg.representation());
      INDArray built = alone.sameDiff().output(Map.of("images", sample), rep.variable().name())
          .get(rep.variable().name());
      assertThat(built.shape()).containsExactly(prepared.shape());
      assertThat(built.sub(prepared).amaxNumber().doubleValue())
          .as("training flag %s: largest difference (of max %s)", training, prepared.amaxNumber())
          .isLessThan(1e-4);
    }
  }

  @Test
  void imageRepresentationOfAnExportedEncoderIsTheEvaluatedOne() {
    ImageSet data = images(256);
    PretextTask task = TestKit.task(taskType(), taskSettings(), 5, data.shape());
    TrainedMethod trained = TestKit.train(task, TestKit.smallEncoder(5), data, 4, 32, 5);
    SameDiff graph = trained.graph();
    graph.getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    PretextTask.TaskGraph tg = trained.taskGraph();
    INDArray sample = data.batch(new int[] {0, 3, 7, 11, 19, 42});
    INDArray evaluated = graph.output(task.prepareForRepresentation(tg, sample), tg.representation())
        .get(tg.representation());

    // As pretext export-encoder builds it: a graph of its own, encoder weights copied by name.
    GraphBuilder alone = GraphBuilder.create(9);
    SDVariable images = alone.placeholder("images", data.shape().batchShape());
    Encoder.Representation rep =
        task.buildImageRepresentation(alone, TestKit.smallEncoder(9), images, data.shape());
    EncoderExport.copyEncoderArrays(graph, alone.sameDiff());
    alone.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    INDArray exported = alone.sameDiff().output(Map.of("images", sample), rep.variable().name())
        .get(rep.variable().name());

    assertThat(rep.size()).isEqualTo(tg.representationSize());
    assertThat(exported.shape()).containsExactly(evaluated.shape());
    assertThat(exported.sub(evaluated).amaxNumber().doubleValue())
        .as("largest difference to the evaluated representation (of max %s)", evaluated.amaxNumber())
        .isLessThan(1e-4);
  }
}
