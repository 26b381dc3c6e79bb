package dev.pretext.plugins.contextencoder;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/** Masks of one image, {@code H×W} floats in row-major order: 1 where a pixel is hidden. */
final class Masks {

  /** Cells of the coarsest noise lattice of a random region, across the image. */
  private static final int REGION_CELLS = 3;

  private Masks() {}

  /** A mask drawn from {@code random} (central blocks draw nothing). */
  static float[] draw(MaskSettings s, int height, int width, Random random) {
    int sideH = s.side(height);
    int sideW = s.side(width);
    return switch (s.mode()) {
      case CENTRAL_BLOCK -> block(height, width, (height - sideH) / 2, (width - sideW) / 2, sideH, sideW);
      case RANDOM_BLOCK -> block(height, width, random.nextInt(height - sideH + 1),
          random.nextInt(width - sideW + 1), sideH, sideW);
      case RANDOM_REGION -> region(height, width, sideH * sideW, random);
    };
  }

  /** The rectangle of rows {@code top..top+h−1} and columns {@code left..left+w−1}. */
  static float[] block(int height, int width, int top, int left, int h, int w) {
    float[] mask = new float[height * width];
    for (int y = top; y < top + h; y++) {
      Arrays.fill(mask, y * width + left, y * width + left + w, 1f);
    }
    return mask;
  }

  /**
   * A random blob of exactly {@code area} pixels: the highest values of smooth noise (two octaves of
   * bilinearly interpolated Gaussian lattices, 3 and 6 cells across), so the region is one or a few
   * irregular connected shapes rather than scattered pixels.
   */
  static float[] region(int height, int width, int area, Random random) {
    double[] field = new double[height * width];
    for (int octave = 0, cells = REGION_CELLS; octave < 2; octave++, cells *= 2) {
      double[] lattice = new double[(cells + 1) * (cells + 1)];
      for (int k = 0; k < lattice.length; k++) {
        lattice[k] = random.nextGaussian();
      }
      double amplitude = 1.0 / (1 << octave);
      for (int y = 0; y < height; y++) {
        double fy = (y + 0.5) * cells / height;
        int y0 = Math.min((int) fy, cells - 1);
        double ty = fy - y0;
        for (int x = 0; x < width; x++) {
          double fx = (x + 0.5) * cells / width;
          int x0 = Math.min((int) fx, cells - 1);
          double tx = fx - x0;
          int k = y0 * (cells + 1) + x0;
          double top = lattice[k] * (1 - tx) + lattice[k + 1] * tx;
          double bottom = lattice[k + cells + 1] * (1 - tx) + lattice[k + cells + 2] * tx;
          field[y * width + x] += amplitude * (top * (1 - ty) + bottom * ty);
        }
      }
    }
    float[] mask = new float[height * width];
    IntStream.range(0, field.length).boxed()
        .sorted(Comparator.comparingDouble((Integer k) -> field[k]).reversed())
        .limit(area)
        .forEach(k -> mask[k] = 1f);
    return mask;
  }

  /**
   * The visible pixels within {@code overlap} pixels (in both directions, a square neighbourhood)
   * of a hidden one: the band whose reconstruction the paper also penalizes, for seamless borders.
   */
  static float[] band(float[] mask, int height, int width, int overlap) {
    float[] rows = new float[mask.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int dx = Math.max(0, x - overlap); dx <= Math.min(width - 1, x + overlap); dx++) {
          if (mask[y * width + dx] > 0) {
            rows[y * width + x] = 1f;
            break;
          }
        }
      }
    }
    float[] band = new float[mask.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (mask[y * width + x] > 0) {
          continue;
        }
        for (int dy = Math.max(0, y - overlap); dy <= Math.min(height - 1, y + overlap); dy++) {
          if (rows[dy * width + x] > 0) {
            band[y * width + x] = 1f;
            break;
          }
        }
      }
    }
    return band;
  }
}
