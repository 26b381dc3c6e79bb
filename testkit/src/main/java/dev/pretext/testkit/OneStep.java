package dev.pretext.testkit;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A task built and trained step by step the way the training engine does it (prepare,
 * beforeStep, one optimizer step, afterStep), so a test can look between the calls — e.g. at a
 * momentum network or a queue after each step.
 */
public final class OneStep {

  /** The step context the engine hands to tasks. */
  public record Context(SameDiff graph, long step, long totalSteps, int epoch, Random random) implements StepContext {}

  public final PretextTask task;
  public final SameDiff graph;
  public final PretextTask.TaskGraph taskGraph;
  private final List<String> placeholders;
  private final long totalSteps;
  private long step;

  /** The task built for the sample's 1×28×28 images with {@link TestKit#smallEncoder}. */
  public OneStep(PretextTask task, long seed, long totalSteps) {
    this(task, seed, totalSteps, TestKit.sample().train().shape());
  }

  /** The task built for images of {@code shape} with {@link TestKit#smallEncoder}. */
  public OneStep(PretextTask task, long seed, long totalSteps, ImageShape shape) {
    this(task, TestKit.smallEncoder(seed), seed, totalSteps, shape);
  }

  /** The task built for images of {@code shape} with {@code encoder}. */
  public OneStep(PretextTask task, Encoder encoder, long seed, long totalSteps, ImageShape shape) {
    this.task = task;
    this.totalSteps = totalSteps;
    GraphBuilder g = GraphBuilder.create(seed);
    this.taskGraph = task.build(g, encoder, shape);
    this.graph = g.sameDiff();
    this.placeholders = List.copyOf(graph.inputs());
    graph.setLossVariables(taskGraph.loss());
    graph.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
        .dataSetFeatureMapping(placeholders).markLabelsUnused().build());
    // As the engine does: the gradient graph now, without the "Added differentiated op" lines M2.1 prints.
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      graph.createGradFunction();
    } finally {
      System.setOut(out);
    }
  }

  /** The context of the current step, as the engine hands it to beforeStep and afterStep. */
  public StepContext context() {
    return new Context(graph, step, totalSteps, 0, new Random(step));
  }

  /** What the engine feeds the graph for {@code images}: prepare, then beforeStep. */
  public Map<String, INDArray> inputs(INDArray images) {
    return task.beforeStep(task.prepare(images, new Random(step)), context());
  }

  /** One optimizer step on {@code inputs}; afterStep is not called yet. */
  public void fit(Map<String, INDArray> inputs) {
    INDArray[] features = placeholders.stream().map(inputs::get).toArray(INDArray[]::new);
    graph.fit(new MultiDataSet(features, null));
  }

  /** Calls afterStep and moves to the next step. */
  public void finish() {
    task.afterStep(context());
    step++;
  }

  /** Continues at {@code step}, as a run resumed from a checkpoint taken after {@code step} steps. */
  void resumeAt(long step) {
    this.step = step;
  }

  /** A whole step on {@code images}. */
  public void run(INDArray images) {
    fit(inputs(images));
    finish();
  }
}
