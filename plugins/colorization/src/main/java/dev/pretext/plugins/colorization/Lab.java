package dev.pretext.plugins.colorization;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * sRGB ↔ CIE L*a*b* for the D65 white point: the sRGB transfer curve ("gamma"), the sRGB → XYZ
 * matrix of IEC 61966-2-1, and the CIE 1976 Lab formulas. L is in [0, 100]; a and b are roughly in
 * [−110, 110] for sRGB colours. Batches are {@code [N, 3, H, W]} planes (R, G, B or L, a, b),
 * converted with plain float loops on the calling (prefetch) thread.
 */
final class Lab {

  private static final float XN = 0.95047f;
  private static final float YN = 1.0f;
  private static final float ZN = 1.08883f;
  private static final float DELTA = 6f / 29f;
  private static final float DELTA3 = DELTA * DELTA * DELTA;

  private Lab() {}

  /** {@code [N, 3, H, W]} sRGB in [0, 1] → {@code [N, 3, H, W]} L, a, b. */
  static INDArray fromRgb(INDArray rgb) {
    long[] shape = checkShape(rgb);
    float[] v = rgb.dup('c').data().asFloat();
    int plane = (int) (shape[2] * shape[3]);
    float[] out = new float[v.length];
    float[] lab = new float[3];
    for (int base = 0; base < v.length; base += 3 * plane) {
      for (int k = 0; k < plane; k++) {
        rgbToLab(v[base + k], v[base + plane + k], v[base + 2 * plane + k], lab);
        out[base + k] = lab[0];
        out[base + plane + k] = lab[1];
        out[base + 2 * plane + k] = lab[2];
      }
    }
    return Nd4j.create(out, shape, 'c');
  }

  /** {@code [N, 3, H, W]} L, a, b → sRGB, clipped to [0, 1] (out-of-gamut colours are clamped). */
  static INDArray toRgb(INDArray lab) {
    long[] shape = checkShape(lab);
    float[] v = lab.dup('c').data().asFloat();
    int plane = (int) (shape[2] * shape[3]);
    float[] out = new float[v.length];
    float[] rgb = new float[3];
    for (int base = 0; base < v.length; base += 3 * plane) {
      for (int k = 0; k < plane; k++) {
        labToRgb(v[base + k], v[base + plane + k], v[base + 2 * plane + k], rgb);
        for (int c = 0; c < 3; c++) {
          out[base + c * plane + k] = Math.max(0f, Math.min(1f, rgb[c]));
        }
      }
    }
    return Nd4j.create(out, shape, 'c');
  }

  /** One sRGB colour in [0, 1] → {@code out = {L, a, b}}. */
  static void rgbToLab(float r, float g, float b, float[] out) {
    float lr = linear(r);
    float lg = linear(g);
    float lb = linear(b);
    float x = (0.4124564f * lr + 0.3575761f * lg + 0.1804375f * lb) / XN;
    float y = (0.2126729f * lr + 0.7151522f * lg + 0.0721750f * lb) / YN;
    float z = (0.0193339f * lr + 0.1191920f * lg + 0.9503041f * lb) / ZN;
    float fx = f(x);
    float fy = f(y);
    float fz = f(z);
    out[0] = 116f * fy - 16f;
    out[1] = 500f * (fx - fy);
    out[2] = 200f * (fy - fz);
  }

  /** One Lab colour → {@code out = {r, g, b}} in sRGB, not clipped (outside [0, 1] = out of gamut). */
  static void labToRgb(float l, float a, float b, float[] out) {
    float[] lin = new float[3];
    labToLinearRgb(l, a, b, lin);
    for (int c = 0; c < 3; c++) {
      out[c] = gamma(lin[c]);
    }
  }

  /** One Lab colour → linear-light RGB (before the transfer curve), not clipped. */
  static void labToLinearRgb(float l, float a, float b, float[] out) {
    float fy = (l + 16f) / 116f;
    float fx = fy + a / 500f;
    float fz = fy - b / 200f;
    float x = XN * finv(fx);
    float y = YN * finv(fy);
    float z = ZN * finv(fz);
    out[0] = 3.2404542f * x - 1.5371385f * y - 0.4985314f * z;
    out[1] = -0.9692660f * x + 1.8760108f * y + 0.0415560f * z;
    out[2] = 0.0556434f * x - 0.2040259f * y + 1.0572252f * z;
  }

  /**
   * L/100 of {@code [N, C, H, W]} sRGB (C = 3) or grey (C = 1, read as (v, v, v)) images as graph
   * ops, {@code [N, 1, H, W]}: the formulas of {@link #rgbToLab}, both branches of each piecewise
   * curve computed and blended by a mask.
   */
  static SDVariable lightness(SameDiff sd, SDVariable images, int channels) {
    SDVariable y;
    if (channels == 1) {
      y = linear(sd, images).mul(0.2126729 + 0.7151522 + 0.0721750);
    } else {
      y = linear(sd, channel(images, 0)).mul(0.2126729)
          .add(linear(sd, channel(images, 1)).mul(0.7151522))
          .add(linear(sd, channel(images, 2)).mul(0.0721750));
    }
    SDVariable fy = blend(y.gt(DELTA3), sd.math().pow(y, 1.0 / 3), y.div(3 * DELTA * DELTA).add(4.0 / 29));
    return fy.mul(116).sub(16).div(100);
  }

  private static SDVariable channel(SDVariable images, int c) {
    return images.get(SDIndex.all(), SDIndex.interval(c, c + 1), SDIndex.all(), SDIndex.all());
  }

  private static SDVariable linear(SameDiff sd, SDVariable c) {
    return blend(c.lte(0.04045), c.div(12.92), sd.math().pow(c.add(0.055).div(1.055), 2.4));
  }

  /** {@code whenTrue} where the boolean mask is true, else {@code otherwise}. */
  private static SDVariable blend(SDVariable mask, SDVariable whenTrue, SDVariable otherwise) {
    SDVariable m = mask.castTo(DataType.FLOAT);
    return m.mul(whenTrue).add(m.rsub(1).mul(otherwise));
  }

  private static float linear(float c) {
    return c <= 0.04045f ? c / 12.92f : (float) Math.pow((c + 0.055) / 1.055, 2.4);
  }

  private static float gamma(float c) {
    return c <= 0.0031308f ? 12.92f * c : (float) (1.055 * Math.pow(Math.max(c, 0), 1 / 2.4) - 0.055);
  }

  private static float f(float t) {
    return t > DELTA3 ? (float) Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4f / 29f;
  }

  private static float finv(float t) {
    return t > DELTA ? t * t * t : 3 * DELTA * DELTA * (t - 4f / 29f);
  }

  private static long[] checkShape(INDArray images) {
    long[] shape = images.shape();
    if (shape.length != 4 || shape[1] != 3) {
      throw new IllegalArgumentException("expected [N, 3, H, W] images, got " + Arrays.toString(shape));
    }
    return shape;
  }
}
