package dev.pretext.runtime.training;

import dev.pretext.api.PretextTask;
import dev.pretext.runtime.data.ImageSet;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A runtime task trained on labels (a class per image, a class per pixel), which the SPI never
 * hands to a pretext task: the engine's prefetcher gives it the indices of a batch into the
 * training data instead of the images alone, and it reads its labels from there.
 */
public interface LabelledTask extends PretextTask {

  /** The step's placeholder values for the images of {@code data} at {@code indices}. */
  Map<String, INDArray> prepareLabelled(ImageSet data, int[] indices);

  @Override
  default Map<String, INDArray> prepare(INDArray images, java.util.Random random) {
    throw new IllegalStateException(getClass().getSimpleName() + " needs labels: use prepareLabelled");
  }
}
