package dev.pretext.testkit;

import dev.pretext.api.PretextTask;
import dev.pretext.runtime.training.TrainedMethod;
import java.util.List;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What a short training run of {@link TestKit#train} produced: the trained graph and the names
 * its task returned, and how the loss went. Batch norm's running statistics in {@link #graph()}
 * are as {@code build} created them (the runtime calibrates them only before evaluating).
 */
public final class TrainedTask {

  private final TrainedMethod method;

  TrainedTask(TrainedMethod method) {
    this.method = method;
  }

  /** The task that was trained (its state, e.g. a momentum network, as training left it). */
  public PretextTask task() {
    return method.task();
  }

  /** The training graph with the trained weights. */
  public SameDiff graph() {
    return method.graph();
  }

  /** The names {@link PretextTask#build} returned. */
  public PretextTask.TaskGraph taskGraph() {
    return method.taskGraph();
  }

  /** The loss of every step, in order. */
  public List<Double> stepLosses() {
    return method.stepLosses();
  }

  /** Wall time of every step, hooks included, waiting for the input pipeline excluded. */
  public List<Double> stepSeconds() {
    return method.stepSeconds();
  }

  /** The graph's batch-norm running statistics (constants), by name. */
  public List<String> runningStatistics() {
    return method.runningStatistics();
  }

  /** The runtime's record, for the kit's internals. */
  TrainedMethod method() {
    return method;
  }
}
