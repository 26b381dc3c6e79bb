package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.toolkit.Settings;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Mirrors each image left–right with probability {@code probability}. */
final class HorizontalFlip implements Augmentation {

  private final double probability;

  HorizontalFlip(double probability) {
    this.probability = probability;
  }

  static HorizontalFlip from(Config c, String path) {
    return new HorizontalFlip(new Settings(c, path).probability("probability"));
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    Pixels px = Pixels.copyOf(images);
    float[] v = px.values;
    for (int i = 0; i < px.n; i++) {
      if (random.nextDouble() >= probability) {
        continue;
      }
      for (int c = 0; c < px.channels; c++) {
        int plane = px.offset(i, c);
        for (int y = 0; y < px.height; y++) {
          // Swap in place from both ends of the row.
          for (int a = plane + y * px.width, b = a + px.width - 1; a < b; a++, b--) {
            float t = v[a];
            v[a] = v[b];
            v[b] = t;
          }
        }
      }
    }
    return px.toArray();
  }
}
