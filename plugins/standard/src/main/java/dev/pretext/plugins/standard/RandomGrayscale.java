package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.toolkit.Settings;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Replaces each RGB image by its luma in all three channels with probability {@code probability}.
 * Images without three channels have no colour to remove and are returned unchanged.
 */
final class RandomGrayscale implements Augmentation {

  private final double probability;

  RandomGrayscale(double probability) {
    this.probability = probability;
  }

  static RandomGrayscale from(Config c, String path) {
    return new RandomGrayscale(new Settings(c, path).probability("probability"));
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    if (images.rank() == 4 && images.size(1) != 3) {
      return images;
    }
    Pixels px = Pixels.copyOf(images);
    float[] v = px.values;
    int plane = px.plane();
    for (int i = 0; i < px.n; i++) {
      if (random.nextDouble() >= probability) {
        continue;
      }
      int r = px.offset(i, 0);
      for (int k = r; k < r + plane; k++) {
        float gray = Pixels.luma(v[k], v[k + plane], v[k + 2 * plane]);
        v[k] = gray;
        v[k + plane] = gray;
        v[k + 2 * plane] = gray;
      }
    }
    return px.toArray();
  }
}
