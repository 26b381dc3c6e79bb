package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a contrastive method's negatives come from. A sampler turns queries and their positive
 * keys into a matrix of similarity logits with masks saying which entries are positives and which
 * take part at all; a contrastive {@link Loss} turns that into InfoNCE / NT-Xent.
 *
 * <p>Samplers with state outside the graph (a queue of past keys) feed it through placeholders
 * before each step, update it after each step, and hand it to checkpoints through {@link
 * #saveState}/{@link #loadState}. What a sampler needs from its task ({@link #needs}) is checked
 * when the task creates it through {@link ComponentRegistry#createSampler}.
 */
@Experimental
public interface NegativeSampler {

  /** What a task can give its sampler; a sampler {@link #needs} some of them. */
  enum Need {
    /** Queries and keys {@code [N, D]}; row i of the keys is the positive of query i (SimCLR, MoCo). */
    PAIRS("queries and keys as [N, D] pairs"),
    /**
     * Queries and keys {@code [N, P, D]}: P positions of a patch grid per image; {@code keys[n, p]}
     * is the positive of {@code queries[n, p]} (CPC).
     */
    GRID("queries and keys as [N, P, D] patch grids"),
    /**
     * Each step's keys {@code [N, D]}, computed outside the trained graph by a key encoder (MoCo's
     * momentum encoder) and handed to {@link #afterStep}.
     */
    STEP_KEYS("each step's keys from a key encoder, handed to afterStep");

    private final String description;

    Need(String description) {
      this.description = description;
    }

    /** What this need is, in words, for messages. */
    public String description() {
      return description;
    }
  }

  /**
   * What this sampler needs from its task. Default: {@link Need#PAIRS}, what SPI 1.x samplers were
   * given.
   *
   * @since 2.0
   */
  default Set<Need> needs() {
    return Set.of(Need.PAIRS);
  }

  /**
   * Adds the similarity logits of {@code queries} against their positives and negatives.
   *
   * @param queries L2-normalized, shaped as {@link #needs} says ({@link Need#PAIRS}: {@code [N, D]})
   * @param keys L2-normalized, shaped like {@code queries}; each is the positive of the query at
   *     its place (a sampler may also use other keys as negatives)
   */
  ContrastiveLogits build(GraphBuilder graph, SDVariable queries, SDVariable keys);

  /** Arrays for the sampler's placeholders before a step (e.g. the queue's contents). */
  default Map<String, INDArray> feed(StepContext step) {
    return Map.of();
  }

  /**
   * Called after each optimizer step with the keys of that step (e.g. to enqueue them).
   *
   * @param keys the step's keys {@code [N, D]}, or {@code null} if the task does not provide
   *     {@link Need#STEP_KEYS}
   */
  default void afterStep(StepContext step, INDArray keys) {}

  /**
   * Writes the state that must survive a checkpoint (a queue's keys and position). The runtime
   * calls it at every checkpoint for each sampler a task created through its {@link
   * ComponentRegistry}; the stream belongs to the caller (do not close it). Default: nothing.
   *
   * @since 2.0
   */
  default void saveState(OutputStream out) throws IOException {}

  /**
   * Restores what {@link #saveState} wrote, on resume, into a sampler created from the same
   * settings and built into the task's graph. Default: nothing.
   *
   * @throws IOException when the state does not fit this sampler (e.g. another queue size)
   * @since 2.0
   */
  default void loadState(InputStream in) throws IOException {}

  /**
   * Cosine-similarity logits and their masks, all {@code [N, M]}.
   *
   * @param similarities raw similarities (before temperature)
   * @param positives 1 where the entry is a positive pair, else 0
   * @param valid 1 where the entry takes part in the softmax denominator, else 0
   */
  record ContrastiveLogits(SDVariable similarities, SDVariable positives, SDVariable valid) {}
}
