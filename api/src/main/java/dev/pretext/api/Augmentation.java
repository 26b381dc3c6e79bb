package dev.pretext.api;

import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stochastic transform of a batch of images, run on the input pipeline (the prefetch thread),
 * never inside the training graph. Implementations must be stateless apart from their settings,
 * so one instance can serve any thread; all randomness comes from the generator passed in.
 */
public interface Augmentation {

  /**
   * Returns the transformed batch; the input must not be modified.
   *
   * @param images {@code [N, C, H, W]}, values in [0, 1]
   * @param random the pipeline's generator: the same seed gives the same result
   */
  INDArray apply(INDArray images, Random random);

  /**
   * Applies a pipeline in order, each augmentation to the previous one's output.
   *
   * @since 1.1
   */
  static INDArray applyAll(List<? extends Augmentation> pipeline, INDArray images, Random random) {
    INDArray x = images;
    for (Augmentation a : pipeline) {
      x = a.apply(x, random);
    }
    return x;
  }
}
