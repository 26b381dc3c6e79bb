package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Crops a random box of each image — area a fraction {@code scale} of the image, aspect ratio
 * (width / height) in {@code ratio}, log-uniform — and resizes it back to the input size with
 * bilinear interpolation (half-pixel centres, as torchvision's {@code RandomResizedCrop}).
 */
final class RandomResizedCrop implements Augmentation {

  /** Tries at a box that fits before falling back to the whole image (torchvision's number). */
  private static final int ATTEMPTS = 10;

  /** Validated settings. */
  record Settings(double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
    static Settings from(Config c, String path) {
      dev.pretext.toolkit.Settings s = new dev.pretext.toolkit.Settings(c, path);
      double[] scale = s.range("scale", 0, 1, true);
      double[] ratio = s.range("ratio", 0, 100, true);
      return new Settings(scale[0], scale[1], ratio[0], ratio[1]);
    }
  }

  /** A crop box in pixels. */
  record Box(int top, int left, int height, int width) {}

  private final Settings settings;

  RandomResizedCrop(Settings settings) {
    this.settings = settings;
  }

  @Override
  public INDArray apply(INDArray images, Random random) {
    Pixels in = Pixels.copyOf(images);
    Pixels out = in.blank();
    for (int i = 0; i < in.n; i++) {
      resize(in, out, i, box(in.height, in.width, random));
    }
    return out.toArray();
  }

  /** A random box for an image of {@code height × width}. */
  Box box(int height, int width, Random random) {
    double area = (double) height * width;
    double logRatioMin = Math.log(settings.ratioMin());
    double logRatioMax = Math.log(settings.ratioMax());
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * Pixels.uniform(random, settings.scaleMin(), settings.scaleMax());
      double aspect = Math.exp(Pixels.uniform(random, logRatioMin, logRatioMax));
      int w = (int) Math.round(Math.sqrt(target * aspect));
      int h = (int) Math.round(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        return new Box(random.nextInt(height - h + 1), random.nextInt(width - w + 1), h, w);
      }
    }
    // No box fitted: the largest centred box whose aspect ratio is within range.
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < settings.ratioMin()) {
      h = Math.max(1, Math.min(height, (int) Math.round(w / settings.ratioMin())));
    } else if (inRatio > settings.ratioMax()) {
      w = Math.max(1, Math.min(width, (int) Math.round(h * settings.ratioMax())));
    }
    return new Box((height - h) / 2, (width - w) / 2, h, w);
  }

  /** Bilinear resize of {@code box} of image {@code i} of {@code in} to the full size in {@code out}. */
  static void resize(Pixels in, Pixels out, int i, Box box) {
    int[] y0 = new int[out.height];
    int[] y1 = new int[out.height];
    float[] wy = new float[out.height];
    sourceCoordinates(box.top(), box.height(), out.height, y0, y1, wy);
    int[] x0 = new int[out.width];
    int[] x1 = new int[out.width];
    float[] wx = new float[out.width];
    sourceCoordinates(box.left(), box.width(), out.width, x0, x1, wx);
    for (int c = 0; c < in.channels; c++) {
      int src = in.offset(i, c);
      int dst = out.offset(i, c);
      for (int y = 0; y < out.height; y++) {
        int row0 = src + y0[y] * in.width;
        int row1 = src + y1[y] * in.width;
        float fy = wy[y];
        for (int x = 0; x < out.width; x++) {
          float fx = wx[x];
          float top = in.values[row0 + x0[x]] * (1 - fx) + in.values[row0 + x1[x]] * fx;
          float bottom = in.values[row1 + x0[x]] * (1 - fx) + in.values[row1 + x1[x]] * fx;
          out.values[dst + y * out.width + x] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  }

  /**
   * For each of {@code size} output positions, the two source pixels of a span of {@code length}
   * pixels starting at {@code start} and the weight of the second: output pixel centre {@code o +
   * 0.5} maps to source position {@code (o + 0.5)·length/size − 0.5}, clamped to the span. When
   * {@code length == size} every weight is 0, so the resize is an exact copy.
   */
  private static void sourceCoordinates(int start, int length, int size, int[] i0, int[] i1, float[] w) {
    double step = (double) length / size;
    for (int o = 0; o < size; o++) {
      double s = Math.min(Math.max((o + 0.5) * step - 0.5, 0), length - 1);
      int lo = (int) Math.floor(s);
      i0[o] = start + lo;
      i1[o] = start + Math.min(lo + 1, length - 1);
      w[o] = (float) (s - lo);
    }
  }
}
