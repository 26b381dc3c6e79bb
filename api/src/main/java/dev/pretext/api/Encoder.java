package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The backbone f(·): maps a batch of images to the representation h that the downstream
 * protocols evaluate. {@link #create} adds its weights to the graph once and returns a module
 * that can be applied any number of times with those weights; creating it twice under different
 * name scopes gives two independent copies (e.g. a momentum encoder). {@link #build} creates and
 * applies in one call, as SPI 1.x did (still abstract, so an encoder can be a lambda; encoders that
 * implement {@link #create} implement it with {@link #buildOnce}).
 *
 * <p>An encoder implements {@link #create} (SPI 2.0; the shipped ones do) or, older, only {@link
 * #build}: then {@link #create} gives a module that can be applied once, through {@link #build}.
 * Tasks that apply an encoder more than once need an encoder that implements {@link #create}.
 */
public interface Encoder {

  /**
   * Adds the encoder's weights to the graph, under the builder's scope.
   *
   * <p>Default, for an encoder that implements only {@link #build} (SPI 1.x): a module whose one
   * application calls {@link #build} under this builder's scope, with the encoder's own names and
   * no feature maps; its width is known once it is applied, and a second application fails.
   *
   * @param graph the graph under construction; use its name scope and initializers
   * @param shape the shape of one input image the weights are made for
   */
  default EncoderModule create(GraphBuilder graph, ImageShape shape) {
    return new BuildOnceModule(this, graph);
  }

  /**
   * Adds the encoder to the graph and applies it once.
   *
   * @param graph the graph under construction; use its name scope and initializers
   * @param images a {@code [N, C, H, W]} variable with values in [0, 1] (or the task's own input
   *     space, e.g. the L channel)
   * @param shape the shape of one input image
   * @return the representation, a {@code [N, D]} variable, and its size D
   */
  Representation build(GraphBuilder graph, SDVariable images, ImageShape shape);

  /**
   * {@link #build} for an encoder that implements {@link #create}: creates the module and applies
   * it once ({@link EncoderModule#MAIN}).
   */
  static Representation buildOnce(Encoder encoder, GraphBuilder graph, SDVariable images, ImageShape shape) {
    EncoderModule module = encoder.create(graph, shape);
    return new Representation(module.apply(images, shape, EncoderModule.MAIN).representation(),
        module.representationSize());
  }

  /**
   * A representation variable and its width.
   *
   * @param variable {@code [N, size]}
   * @param size the representation's width D
   */
  record Representation(SDVariable variable, long size) {}
}
