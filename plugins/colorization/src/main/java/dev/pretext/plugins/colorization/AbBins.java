package dev.pretext.plugins.colorization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The quantized ab space of Zhang et al. (2016): a square grid of bin centres {@code (k·g, m·g)}
 * with grid size g, kept only where the cell holds a displayable colour — inside the sRGB gamut
 * for at least one lightness L (for g = 10: 251 bins; the paper keeps 313, counted from ImageNet).
 * A colour is soft-encoded over its nearest bins with Gaussian weights, and a predicted
 * distribution is decoded by the annealed mean.
 */
final class AbBins {

  /** Largest |a| or |b| of an sRGB colour is about 108 (b of pure blue); the grid covers ±110. */
  static final float RANGE = 110f;
  private static final float L_STEP = 0.5f;

  private final int gridSize;
  private final float[] a;
  private final float[] b;
  private final float[] anchorL;
  private final float[] anchorA;
  private final float[] anchorB;

  private AbBins(int gridSize, float[] a, float[] b, float[] anchorL, float[] anchorA, float[] anchorB) {
    this.gridSize = gridSize;
    this.a = a;
    this.b = b;
    this.anchorL = anchorL;
    this.anchorA = anchorA;
    this.anchorB = anchorB;
  }

  /**
   * The in-gamut bins of a grid with cells {@code gridSize} ab units wide: those whose cell holds
   * a displayable colour. Each cell is probed at its centre first, then at 24 more points inside it
   * (offsets of ±0.2 and ±0.4 cell), each at lightness 0.5 … 99.5.
   */
  static AbBins inGamut(int gridSize) {
    int k = (int) Math.ceil(RANGE / gridSize);
    float[] offsets = {0f, -0.2f, 0.2f, -0.4f, 0.4f};
    List<float[]> kept = new ArrayList<>();
    for (int i = -k; i <= k; i++) {
      for (int j = -k; j <= k; j++) {
        float[] anchor = null;
        for (int p = 0; p < offsets.length * offsets.length && anchor == null; p++) {
          float pa = (i + offsets[p / offsets.length]) * gridSize;
          float pb = (j + offsets[p % offsets.length]) * gridSize;
          float l = displayableLightness(pa, pb);
          if (l > 0) {
            anchor = new float[] {i * gridSize, j * gridSize, l, pa, pb};
          }
        }
        if (anchor != null) {
          kept.add(anchor);
        }
      }
    }
    return new AbBins(gridSize, column(kept, 0), column(kept, 1), column(kept, 2), column(kept, 3),
        column(kept, 4));
  }

  /** A lightness at which {@code (a, b)} is inside the sRGB gamut, or 0 if there is none. */
  private static float displayableLightness(float a, float b) {
    float[] rgb = new float[3];
    for (float l = L_STEP; l < 100f; l += L_STEP) {
      Lab.labToLinearRgb(l, a, b, rgb);
      if (inUnitCube(rgb)) {
        return l;
      }
    }
    return 0;
  }

  private static float[] column(List<float[]> rows, int c) {
    float[] out = new float[rows.size()];
    for (int r = 0; r < out.length; r++) {
      out[r] = rows.get(r)[c];
    }
    return out;
  }

  private static boolean inUnitCube(float[] rgb) {
    return rgb[0] >= 0 && rgb[0] <= 1 && rgb[1] >= 0 && rgb[1] <= 1 && rgb[2] >= 0 && rgb[2] <= 1;
  }

  /** Number of bins Q. */
  int count() {
    return a.length;
  }

  int gridSize() {
    return gridSize;
  }

  /** a of bin {@code q}'s centre. */
  float a(int q) {
    return a[q];
  }

  /** b of bin {@code q}'s centre. */
  float b(int q) {
    return b[q];
  }

  /** A displayable colour {@code {L, a, b}} inside bin {@code q}'s cell (its centre if possible). */
  float[] anchor(int q) {
    return new float[] {anchorL[q], anchorA[q], anchorB[q]};
  }

  /** Squared ab distance between the centres of bins {@code p} and {@code q}. */
  float distance2(int p, int q) {
    float da = a[p] - a[q];
    float db = b[p] - b[q];
    return da * da + db * db;
  }

  /** The bin whose centre is nearest to {@code (ca, cb)}. */
  int nearest(float ca, float cb) {
    int best = 0;
    float bestD = Float.MAX_VALUE;
    for (int q = 0; q < a.length; q++) {
      float da = a[q] - ca;
      float db = b[q] - cb;
      float d = da * da + db * db;
      if (d < bestD) {
        bestD = d;
        best = q;
      }
    }
    return best;
  }

  /**
   * Soft-encodes {@code (ca, cb)}: its {@code neighbours} nearest bins get weights
   * {@code exp(−d²/2σ²)}, normalized to sum 1, written to {@code out[offset + q·stride]} (other
   * entries are left untouched, so {@code out} must start zeroed).
   *
   * @return the nearest bin
   */
  int softEncode(float ca, float cb, int neighbours, float sigma, float[] out, int offset, int stride) {
    int k = Math.min(neighbours, a.length);
    int[] idx = new int[k];
    float[] dist = new float[k];
    Arrays.fill(dist, Float.MAX_VALUE);
    for (int q = 0; q < a.length; q++) {
      float da = a[q] - ca;
      float db = b[q] - cb;
      float d = da * da + db * db;
      if (d < dist[k - 1]) {
        // Insertion into the sorted list of the k nearest so far.
        int p = k - 1;
        while (p > 0 && dist[p - 1] > d) {
          dist[p] = dist[p - 1];
          idx[p] = idx[p - 1];
          p--;
        }
        dist[p] = d;
        idx[p] = q;
      }
    }
    // Relative to the nearest distance, so the weights never all underflow to zero.
    float sum = 0;
    float[] w = new float[k];
    for (int i = 0; i < k; i++) {
      w[i] = (float) Math.exp(-(dist[i] - dist[0]) / (2 * sigma * sigma));
      sum += w[i];
    }
    for (int i = 0; i < k; i++) {
      out[offset + idx[i] * stride] = w[i] / sum;
    }
    return idx[0];
  }

  /**
   * Decodes one pixel's logits by the annealed mean of Zhang et al.: the mean ab of
   * {@code softmax(logits / T)}. T = 1 is the plain mean (desaturated), T → 0 the mode (vivid but
   * patchy); the paper uses 0.38.
   *
   * @param logits Q values at {@code logits[offset + q·stride]}
   * @param out receives {@code {a, b}}
   */
  void annealedMean(float[] logits, int offset, int stride, float temperature, float[] out) {
    float max = -Float.MAX_VALUE;
    for (int q = 0; q < a.length; q++) {
      max = Math.max(max, logits[offset + q * stride]);
    }
    double sum = 0;
    double ma = 0;
    double mb = 0;
    for (int q = 0; q < a.length; q++) {
      double p = Math.exp((logits[offset + q * stride] - max) / temperature);
      sum += p;
      ma += p * a[q];
      mb += p * b[q];
    }
    out[0] = (float) (ma / sum);
    out[1] = (float) (mb / sum);
  }
}
