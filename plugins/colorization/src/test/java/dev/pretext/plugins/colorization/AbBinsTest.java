package dev.pretext.plugins.colorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AbBinsTest {

  private final AbBins bins = AbBins.inGamut(10);

  @Test
  void keepsOnlyCentresInsideTheSrgbGamut() {
    // The paper's grid keeps 313 bins (estimated from ImageNet); ours is computed from the gamut.
    assertThat(bins.count()).isBetween(240, 330);
    Set<String> centres = new HashSet<>();
    float[] rgb = new float[3];
    for (int q = 0; q < bins.count(); q++) {
      assertThat(bins.a(q) % 10).isZero();
      assertThat(bins.b(q) % 10).isZero();
      centres.add(bins.a(q) + "," + bins.b(q));
      float[] anchor = bins.anchor(q);
      assertThat(Math.abs(anchor[1] - bins.a(q))).as("inside the cell").isLessThan(5);
      assertThat(Math.abs(anchor[2] - bins.b(q))).as("inside the cell").isLessThan(5);
      Lab.labToRgb(anchor[0], anchor[1], anchor[2], rgb);
      for (float c : rgb) {
        assertThat(c).isBetween(-1e-4f, 1 + 1e-4f);
      }
    }
    assertThat(centres).hasSize(bins.count()).contains("0.0,0.0", "80.0,70.0").doesNotContain("-110.0,110.0");
  }

  @Test
  void everyBinIsReachableFromAnSrgbColour() {
    float[] rgb = new float[3];
    float[] lab = new float[3];
    for (int q = 0; q < bins.count(); q++) {
      float[] anchor = bins.anchor(q);
      Lab.labToRgb(anchor[0], anchor[1], anchor[2], rgb);
      Lab.rgbToLab(clamp(rgb[0]), clamp(rgb[1]), clamp(rgb[2]), lab);
      assertThat(bins.nearest(lab[1], lab[2])).as("bin %d (%s, %s)", q, bins.a(q), bins.b(q)).isEqualTo(q);
    }
  }

  private static float clamp(float v) {
    return Math.max(0, Math.min(1, v));
  }

  @Test
  void softEncodingSpreadsOverTheNearestBinsAndSumsToOne() {
    int q = bins.count();
    float[] out = new float[q * 3];
    int nearest = bins.softEncode(12f, -3f, 5, 5f, out, 1, 3);
    assertThat(bins.a(nearest)).isEqualTo(10f);
    assertThat(bins.b(nearest)).isEqualTo(0f);
    double sum = 0;
    int positive = 0;
    float max = 0;
    int argmax = -1;
    for (int i = 0; i < q; i++) {
      assertThat(out[i * 3]).as("other slots untouched").isZero();
      assertThat(out[i * 3 + 2]).isZero();
      float v = out[i * 3 + 1];
      sum += v;
      positive += v > 0 ? 1 : 0;
      if (v > max) {
        max = v;
        argmax = i;
      }
    }
    assertThat(sum).isCloseTo(1.0, within(1e-5));
    assertThat(positive).isEqualTo(5);
    assertThat(argmax).isEqualTo(nearest);
    // Exactly on a centre, far out of the grid: still a distribution.
    for (float[] ab : new float[][] {{0, 0}, {500, -500}}) {
      float[] single = new float[q];
      bins.softEncode(ab[0], ab[1], 5, 5f, single, 0, 1);
      double s = 0;
      for (float v : single) {
        s += v;
      }
      assertThat(s).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void annealedMeanGoesFromTheMeanToTheMode() {
    int q = bins.count();
    int p1 = bins.nearest(40, 40);
    int p2 = bins.nearest(-40, 0);
    float[] logits = new float[q];
    java.util.Arrays.fill(logits, -50f);
    logits[p1] = 2f;
    logits[p2] = 1f;
    float[] ab = new float[2];
    bins.annealedMean(logits, 0, 1, 0.01f, ab);
    assertThat(ab[0]).isCloseTo(40f, within(0.01f));
    bins.annealedMean(logits, 0, 1, 1f, ab);
    double w = Math.exp(2) / (Math.exp(2) + Math.exp(1));
    assertThat((double) ab[0]).isCloseTo(40 * w - 40 * (1 - w), within(0.01));
  }

  @Test
  void rebalancingFavoursRareColours() {
    Rebalancing r = new Rebalancing(bins, 0.5, 5);
    int grey = bins.nearest(0, 0);
    int red = bins.nearest(80, 70);
    int[] batch = new int[100];
    java.util.Arrays.fill(batch, grey);
    batch[0] = red;
    float[] w = r.addAndWeigh(batch);
    assertThat(w[red]).isGreaterThan(w[grey]);
    // Uniform-ish bins far from the data get the cap 1 / (λ/Q) (relative), the largest weight.
    int far = bins.nearest(-80, -80);
    assertThat(w[far]).isGreaterThanOrEqualTo(w[red]);
    // Mixing with λ = 1 gives uniform weights.
    float[] uniform = new Rebalancing(bins, 1.0, 5).addAndWeigh(batch);
    assertThat(uniform[grey]).isCloseTo(uniform[far], within(1e-4f)).isCloseTo(1f, within(1e-4f));
    // Before any count: all 1.
    assertThat(new Rebalancing(bins, 0.5, 5).weights()).containsOnly(1f);
  }
}
