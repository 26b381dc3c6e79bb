package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A scalar objective built from named graph variables. Each loss documents the roles it reads,
 * e.g. {@code logits} and {@code labels} for cross-entropy, {@code prediction} and {@code target}
 * for a reconstruction loss.
 */
public interface Loss {

  /** The input roles this loss needs, checked before {@link #build} is called. */
  Set<String> roles();

  /**
   * Adds the loss to the graph and returns the scalar to minimize.
   *
   * @param inputs one variable per role of {@link #roles()}
   */
  SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs);
}
