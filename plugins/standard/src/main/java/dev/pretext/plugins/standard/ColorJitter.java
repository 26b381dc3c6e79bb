package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * With probability {@code probability} per image, changes brightness, contrast, saturation and hue
 * by random factors, in a random order, clamping to [0, 1] after each (torchvision's {@code
 * ColorJitter} inside {@code RandomApply}). A strength {@code s} draws a factor from {@code [max(0,
 * 1 − s), 1 + s]}; hue shifts by up to ±{@code hue} of a full turn. Saturation and hue need RGB
 * and are skipped unless C = 3; contrast blends with the mean luma (the mean value if C ≠ 3).
 */
final class ColorJitter implements Augmentation {

  private static final int BRIGHTNESS = 0;
  private static final int CONTRAST = 1;
  private static final int SATURATION = 2;
  private static final int HUE = 3;

  /** Validated settings. */
  record Settings(double brightness, double contrast, double saturation, double hue, double probability) {
    static Settings from(Config c, String path) {
      dev.pretext.toolkit.Settings s = new dev.pretext.toolkit.Settings(c, path);
      return new Settings(s.doubleIn("brightness", 0, 10), s.doubleIn("contrast", 0, 10),
          s.doubleIn("saturation", 0, 10), s.doubleIn("hue", 0, 0.5), s.probability("probability"));
    }
  }

  private final Settings settings;

  ColorJitter(Settings settings) {
    this.settings = settings;
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    Pixels px = Pixels.copyOf(images);
    int[] order = {BRIGHTNESS, CONTRAST, SATURATION, HUE};
    for (int i = 0; i < px.n; i++) {
      if (random.nextDouble() >= settings.probability()) {
        continue;
      }
      shuffle(order, random);
      for (int op : order) {
        switch (op) {
          case BRIGHTNESS -> {
            if (settings.brightness() > 0) {
              brightness(px, i, factor(settings.brightness(), random));
            }
          }
          case CONTRAST -> {
            if (settings.contrast() > 0) {
              contrast(px, i, factor(settings.contrast(), random));
            }
          }
          case SATURATION -> {
            if (px.channels == 3 && settings.saturation() > 0) {
              saturation(px, i, factor(settings.saturation(), random));
            }
          }
          default -> {
            if (px.channels == 3 && settings.hue() > 0) {
              hue(px, i, (float) Pixels.uniform(random, -settings.hue(), settings.hue()));
            }
          }
        }
      }
    }
    return px.toArray();
  }

  private static float factor(double strength, Random random) {
    return (float) Pixels.uniform(random, Math.max(0, 1 - strength), 1 + strength);
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  static void brightness(Pixels px, int i, float f) {
    int from = px.offset(i, 0);
    int to = from + px.channels * px.plane();
    for (int k = from; k < to; k++) {
      px.values[k] = Pixels.clamp01(px.values[k] * f);
    }
  }

  static void contrast(Pixels px, int i, float f) {
    float[] v = px.values;
    int from = px.offset(i, 0);
    int to = from + px.channels * px.plane();
    double sum = 0;
    if (px.channels == 3) {
      int plane = px.plane();
      for (int k = from; k < from + plane; k++) {
        sum += Pixels.luma(v[k], v[k + plane], v[k + 2 * plane]);
      }
      sum *= 3;
    } else {
      for (int k = from; k < to; k++) {
        sum += v[k];
      }
    }
    float mean = (float) (sum / (to - from));
    for (int k = from; k < to; k++) {
      v[k] = Pixels.clamp01(f * v[k] + (1 - f) * mean);
    }
  }

  static void saturation(Pixels px, int i, float f) {
    float[] v = px.values;
    int plane = px.plane();
    int r = px.offset(i, 0);
    for (int k = r; k < r + plane; k++) {
      float gray = Pixels.luma(v[k], v[k + plane], v[k + 2 * plane]);
      for (int c = 0; c < 3; c++) {
        v[k + c * plane] = Pixels.clamp01(f * v[k + c * plane] + (1 - f) * gray);
      }
    }
  }

  /** Rotates the hue of every pixel by {@code shift} turns through HSV. */
  static void hue(Pixels px, int i, float shift) {
    float[] v = px.values;
    int plane = px.plane();
    int r0 = px.offset(i, 0);
    for (int k = r0; k < r0 + plane; k++) {
      float r = v[k];
      float g = v[k + plane];
      float b = v[k + 2 * plane];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float delta = max - min;
      if (delta <= 0) {
        continue; // a gray pixel has no hue to rotate
      }
      float h;
      if (max == r) {
        h = (g - b) / delta;
      } else if (max == g) {
        h = (b - r) / delta + 2;
      } else {
        h = (r - g) / delta + 4;
      }
      h = h / 6 + shift;
      h -= (float) Math.floor(h);
      float s = delta / max;
      float h6 = h * 6;
      int sector = Math.min(5, (int) h6);
      float frac = h6 - sector;
      float p = max * (1 - s);
      float q = max * (1 - s * frac);
      float t = max * (1 - s * (1 - frac));
      switch (sector) {
        case 0 -> { r = max; g = t; b = p; }
        case 1 -> { r = q; g = max; b = p; }
        case 2 -> { r = p; g = max; b = t; }
        case 3 -> { r = p; g = q; b = max; }
        case 4 -> { r = t; g = p; b = max; }
        default -> { r = max; g = p; b = q; }
      }
      v[k] = Pixels.clamp01(r);
      v[k + plane] = Pixels.clamp01(g);
      v[k + 2 * plane] = Pixels.clamp01(b);
    }
  }
}
