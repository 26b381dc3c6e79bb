package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A scalar objective built from named graph variables. Each loss documents the roles it reads,
 * e.g. {@code logits} and {@code labels} for cross-entropy, {@code prediction} and {@code target}
 * for a reconstruction loss, and declares what it takes in each ({@link #consumes}), so that a
 * task hands it logits or probabilities without knowing the loss by name.
 */
public interface Loss {

  /** What a loss takes in one of its roles. */
  enum Input {
    /**
     * Unnormalized scores: the loss applies its own sigmoid or softmax (and temperature) —
     * cross-entropy's {@code logits}, binary cross-entropy's {@code prediction}, a contrastive
     * loss's {@code similarities}.
     */
    LOGITS,
    /**
     * Values in the target's range, after the task's own sigmoid or softmax — mse's {@code
     * prediction} of pixels in [0, 1].
     */
    PROBABILITIES,
    /** Vectors compared by direction or distance — negative-cosine's {@code prediction} and {@code target}. */
    EMBEDDINGS,
    /**
     * Data the loss is given rather than a prediction: labels, target images, positive and valid
     * masks, per-element weights.
     */
    TARGETS
  }

  /** The input roles this loss needs, checked before {@link #build} is called. */
  Set<String> roles();

  /**
   * What the loss takes in each role it reads, optional roles included. A task that can give a
   * role in more than one form (a decoder's logits or their sigmoid) hands it the one declared
   * here; {@link ComponentRegistry#createLoss(com.typesafe.config.Config, String, String, Map,
   * String)} refuses a loss that takes what the task cannot give. Default: nothing declared (SPI
   * 1.x losses), which only tasks giving each role in one form accept.
   *
   * @since 2.0
   */
  default Map<String, Input> consumes() {
    return Map.of();
  }

  /**
   * Adds the loss to the graph and returns the scalar to minimize.
   *
   * @param inputs one variable per role of {@link #roles()}
   */
  SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs);
}
