package dev.pretext.runtime.training;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.TrainingSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Training steps on one SameDiff training session, as {@code SameDiff.fit} runs the batches of
 * one call. {@code fit(MultiDataSet)} builds a new session — and with it a new array cache — on
 * every call, so each step allocated (and the native side zero-filled) every activation and
 * gradient afresh: measured on the conv4 SimCLR step at batch 256, one thread, 3.4–4.5 s per
 * step through {@code fit} against 1.8–1.9 s here (docs/architecture.md, "Where a step's time
 * goes"). The update is the same: the same updaters (SameDiff's own map, saved with checkpoints),
 * the same iteration count for Adam's bias correction and the learning-rate schedule.
 */
final class TrainingIterations implements AutoCloseable {

  /**
   * Steps after which the session is replaced. Sessions of some graphs (the decoders of the
   * denoising autoencoder and context encoder) hold on to 40–70 MB more each step; replaced every
   * 10 steps and collected, the process stays flat (DAE, batch 256: 1.8–2.1 GB over 50 steps
   * against 1.9 → 4.0 GB over 40 on one session), and a new session's first step costs no
   * measurable time over ten (SimCLR: 0.64 s a step against 0.72 s on one session).
   */
  static final int RENEW_EVERY = 10;

  private final SameDiff graph;
  private final SameDiff gradients;
  private TrainingSession session;
  private int stepsOnSession;
  private final Set<String> parameters = new LinkedHashSet<>();
  private final At at;

  TrainingIterations(SameDiff graph) {
    this.graph = graph;
    initializeUpdaters(graph);
    this.gradients = graph.getFunction("grad");
    if (gradients == null) {
      throw new IllegalStateException("the gradient graph must be built before training");
    }
    gradients.setTrainingConfig(graph.getTrainingConfig());
    this.session = new TrainingSession(gradients);
    for (SDVariable v : graph.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType()) {
        parameters.add(v.name());
      }
    }
    this.at = At.builder().epoch(0).iteration(0).trainingThreadNum(0)
        .javaThreadNum(Thread.currentThread().getId()).operation(Operation.TRAINING).build();
  }

  /** One step: forward, backward and update on the given placeholder values. */
  void step(Map<String, INDArray> placeholders) {
    TrainingConfig config = graph.getTrainingConfig();
    at.setIteration(config.getIterationCount());
    INDArray[] features = config.getDataSetFeatureMapping().stream()
        .map(placeholders::get).toArray(INDArray[]::new);
    session.trainingIteration(config, placeholders, parameters, graph.getUpdaterMap(),
        new MultiDataSet(features, null), graph.getLossVariables(), graph.getListeners(), at);
    config.incrementIterationCount();
    if (++stepsOnSession == RENEW_EVERY) {
      session.getMmgr().close();
      session = new TrainingSession(gradients);
      NativeMemory.releaseGarbage();
      stepsOnSession = 0;
    }
  }

  /** Frees the arrays the session keeps for reuse (activations and gradients of a step). */
  @Override
  public void close() {
    session.getMmgr().close();
  }

  /** Creates the updaters' state as the first {@code fit} would (a restored graph has it). */
  private static void initializeUpdaters(SameDiff graph) {
    if (graph.isInitializedTraining()) {
      return;
    }
    try {
      Method initialize = SameDiff.class.getDeclaredMethod("initializeTraining");
      initialize.setAccessible(true);
      initialize.invoke(graph);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("SameDiff could not set up its updaters", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("SameDiff.initializeTraining not found: the training loop "
          + "is written for DL4J 1.0.0-M2.1", e);
    }
  }
}
