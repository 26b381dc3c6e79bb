package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.toolkit.Settings;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Adds independent N(0, std²) noise to every pixel and clamps the result to [0, 1]. */
final class GaussianNoise implements Augmentation {

  private final double std;

  GaussianNoise(double std) {
    this.std = std;
  }

  static GaussianNoise from(Config c, String path) {
    return new GaussianNoise(new Settings(c, path).doubleIn("std", 0, 1));
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    Pixels px = Pixels.copyOf(images);
    float[] v = px.values;
    // Drawn from the pipeline's generator (not ND4J's global one) so the same seed gives the same noise.
    for (int k = 0; k < v.length; k++) {
      v[k] = Pixels.clamp01(v[k] + (float) (std * random.nextGaussian()));
    }
    return px.toArray();
  }
}
