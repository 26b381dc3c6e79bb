package dev.pretext.runtime.evaluation;

/**
 * Bilinear resampling of one axis from {@code in} to {@code out} samples, with half-pixel centres
 * and edges clamped: PyTorch's {@code F.interpolate(mode="bilinear", align_corners=False)}, the
 * upsampling of the usual linear segmentation probe. Output sample {@code o} reads input position
 * {@code (o + 0.5)·in/out − 0.5} (clamped at 0), between two neighbouring samples.
 *
 * <p>Two dimensions are this axis map applied to rows and to columns, so an upsampled value is a
 * weighted sum of at most four input values whose weights sum to 1. Upsampling is therefore linear
 * and commutes with a per-pixel linear classifier: classifying the upsampled features equals
 * upsampling the classifier's logits, which is how test scenes are scored.
 */
final class Bilinear {

  private final int in;
  private final int[] low;
  private final int[] high;
  private final float[] highWeight;

  /** The map from {@code in} samples to {@code out} samples. */
  Bilinear(int in, int out) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException("sizes must be positive, got " + in + " -> " + out);
    }
    this.in = in;
    low = new int[out];
    high = new int[out];
    highWeight = new float[out];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double source = Math.max(0, (o + 0.5) * scale - 0.5);
      int i = Math.min((int) Math.floor(source), in - 1);
      low[o] = i;
      high[o] = Math.min(i + 1, in - 1);
      highWeight[o] = (float) (source - i);
    }
  }

  /** The lower input sample output {@code o} reads. */
  int low(int o) {
    return low[o];
  }

  /** The upper input sample output {@code o} reads (equal to the lower one at the edge). */
  int high(int o) {
    return high[o];
  }

  /** The weight of the upper sample; the lower one's is 1 minus it. */
  float highWeight(int o) {
    return highWeight[o];
  }

  /**
   * This map as a matrix {@code [in, out]}: column {@code o} holds output sample o's weights, so a
   * row vector of {@code in} samples times it is the resampled row. The fine-tuned segmenter
   * upsamples its logits in the graph with two such products (rows, then columns), which SameDiff
   * differentiates, instead of libnd4j's {@code resize_bilinear}, whose op breaks gradient
   * creation in M2.1.
   */
  float[][] matrix() {
    int out = low.length;
    float[][] m = new float[in][out];
    for (int o = 0; o < out; o++) {
      m[low[o]][o] += 1 - highWeight[o];
      m[high[o]][o] += highWeight[o];
    }
    return m;
  }

  /**
   * Upsamples planes: {@code planes} planes of {@code inH × inW} values at {@code from} (row-major,
   * plane after plane) into {@code out} at {@code to}, planes of {@code rows.size × columns.size}.
   */
  static void resample(float[] in, int from, int planes, int inH, int inW, Bilinear rows, Bilinear columns,
      float[] out, int to) {
    int outH = rows.low.length;
    int outW = columns.low.length;
    for (int p = 0; p < planes; p++) {
      int plane = from + p * inH * inW;
      int target = to + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        int r0 = plane + rows.low[y] * inW;
        int r1 = plane + rows.high[y] * inW;
        float wy = rows.highWeight[y];
        for (int x = 0; x < outW; x++) {
          int c0 = columns.low[x];
          int c1 = columns.high[x];
          float wx = columns.highWeight[x];
          float top = in[r0 + c0] + wx * (in[r0 + c1] - in[r0 + c0]);
          float bottom = in[r1 + c0] + wx * (in[r1 + c1] - in[r1 + c0]);
          out[target + y * outW + x] = top + wy * (bottom - top);
        }
      }
    }
  }
}
