package dev.pretext.api;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * An encoder whose weights exist once in a graph and which can be applied any number of times:
 * every application uses the same trainable weights, so gradients from all of them reach one set
 * (jigsaw's tiles and whole images, siamese branches). Created by {@link Encoder#create}.
 *
 * <p>Batch-norm statistics are kept per <em>application</em>: tiles and whole images have
 * different statistics, so each application name gets its own running statistics (calibrated by
 * the runtime). {@link #MAIN} is the application whose statistics the representation uses.
 */
public interface EncoderModule {

  /** The application of the representation the protocols measure; its variables keep plain names. */
  String MAIN = "main";

  /**
   * Applies the encoder to a batch.
   *
   * @param images {@code [N, C, H, W]}
   * @param shape the shape of one of these images (may differ from the one the module was created
   *     for when the weights do not depend on it, e.g. a convolutional encoder on tiles)
   * @param application names this use for its batch-norm statistics and variable names; {@link
   *     #MAIN} for the images whose representation is measured
   * @throws IllegalArgumentException if the weights cannot take images of this shape
   */
  EncoderOutput apply(SDVariable images, ImageShape shape, String application);

  /** Width D of the pooled representation. */
  long representationSize();

  /**
   * What one application gives: the pooled representation and the feature map of every stage.
   *
   * @param representation {@code [N, D]}
   * @param featureMaps per stage, first to last, {@code [N, C_s, h_s, w_s]} (channels first whatever
   *     the encoder uses inside); empty for encoders without spatial stages (an MLP)
   */
  record EncoderOutput(SDVariable representation, List<SDVariable> featureMaps) {
    public EncoderOutput {
      featureMaps = List.copyOf(featureMaps);
    }
  }
}
