package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a contrastive method's negatives come from. A sampler turns queries and their positive
 * keys into a matrix of similarity logits with masks saying which entries are positives and which
 * take part at all; a contrastive {@link Loss} turns that into InfoNCE / NT-Xent.
 *
 * <p>Samplers with state outside the graph (a queue of past keys) feed it through placeholders
 * before each step and update it after each step.
 */
@Experimental
public interface NegativeSampler {

  /**
   * Adds the similarity logits of {@code queries} against their positives and negatives.
   *
   * @param queries {@code [N, D]}, L2-normalized
   * @param keys {@code [N, D]}, L2-normalized; row i is the positive of query i (a sampler may
   *     also use other rows as negatives)
   */
  ContrastiveLogits build(GraphBuilder graph, SDVariable queries, SDVariable keys);

  /** Arrays for the sampler's placeholders before a step (e.g. the queue's contents). */
  default Map<String, INDArray> feed(StepContext step) {
    return Map.of();
  }

  /**
   * Called after each optimizer step with the keys of that step (e.g. to enqueue them).
   *
   * @param keys the step's keys {@code [N, D]}, or {@code null} if the task cannot provide them
   */
  default void afterStep(StepContext step, INDArray keys) {}

  /**
   * Cosine-similarity logits and their masks, all {@code [N, M]}.
   *
   * @param similarities raw similarities (before temperature)
   * @param positives 1 where the entry is a positive pair, else 0
   * @param valid 1 where the entry takes part in the softmax denominator, else 0
   */
  record ContrastiveLogits(SDVariable similarities, SDVariable positives, SDVariable valid) {}
}
