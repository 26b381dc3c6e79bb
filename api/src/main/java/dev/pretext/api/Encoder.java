package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The backbone f(·): maps a batch of images to the representation h that the downstream
 * protocols evaluate. An encoder adds its layers to the graph each time {@link #build} is called;
 * calling it twice on the same builder with different name scopes gives two independent copies
 * (e.g. a momentum encoder).
 */
public interface Encoder {

  /**
   * Adds the encoder to the graph.
   *
   * @param graph the graph under construction; use its name scope and initializers
   * @param images a {@code [N, C, H, W]} variable with values in [0, 1] (or the task's own input
   *     space, e.g. the L channel)
   * @param shape the shape of one input image
   * @return the representation, a {@code [N, D]} variable, and its size D
   */
  Representation build(GraphBuilder graph, SDVariable images, ImageShape shape);

  /**
   * A representation variable and its width.
   *
   * @param variable {@code [N, size]}
   * @param size the representation's width D
   */
  record Representation(SDVariable variable, long size) {}
}
