package dev.pretext.plugins.colorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LabTest {

  private static float[] lab(float r, float g, float b) {
    float[] out = new float[3];
    Lab.rgbToLab(r, g, b, out);
    return out;
  }

  @Test
  void knownColoursHaveTheirReferenceLabValues() {
    // Reference values for sRGB (D65), e.g. from Bruce Lindbloom's calculator.
    float[] red = lab(1, 0, 0);
    assertThat(red[0]).isCloseTo(53.24f, within(0.02f));
    assertThat(red[1]).isCloseTo(80.09f, within(0.02f));
    assertThat(red[2]).isCloseTo(67.20f, within(0.02f));
    float[] green = lab(0, 1, 0);
    assertThat(green[0]).isCloseTo(87.73f, within(0.02f));
    assertThat(green[1]).isCloseTo(-86.18f, within(0.02f));
    assertThat(green[2]).isCloseTo(83.18f, within(0.02f));
    float[] blue = lab(0, 0, 1);
    assertThat(blue[0]).isCloseTo(32.30f, within(0.02f));
    assertThat(blue[1]).isCloseTo(79.19f, within(0.02f));
    assertThat(blue[2]).isCloseTo(-107.86f, within(0.02f));
    float[] white = lab(1, 1, 1);
    assertThat(white).containsExactly(new float[] {100, 0, 0}, within(0.01f));
    assertThat(lab(0, 0, 0)).containsExactly(new float[] {0, 0, 0}, within(0.01f));
    // Mid grey: lightness 53.39 (not 50: the sRGB curve), no colour.
    assertThat(lab(0.5f, 0.5f, 0.5f)).containsExactly(new float[] {53.39f, 0, 0}, within(0.01f));
  }

  @Test
  void graphLightnessOfKnownColoursIsTheirReferenceL() {
    // Red, green, blue, white, black and mid grey as one RGB image of 1x6 pixels, and the grey
    // values 0, 0.5 and 1 as a one-channel image; reference L as above.
    SameDiff sd = SameDiff.create();
    SDVariable rgb = sd.placeHolder("rgb", DataType.FLOAT, -1, 3, 1, 6);
    SDVariable grey = sd.placeHolder("grey", DataType.FLOAT, -1, 1, 1, 3);
    SDVariable rgbL = Lab.lightness(sd, rgb, 3);
    SDVariable greyL = Lab.lightness(sd, grey, 1);
    INDArray colours = Nd4j.create(new float[] {
        1, 0, 0, 1, 0, 0.5f,
        0, 1, 0, 1, 0, 0.5f,
        0, 0, 1, 1, 0, 0.5f}, new long[] {1, 3, 1, 6}, 'c');
    INDArray greys = Nd4j.create(new float[] {0, 0.5f, 1}, new long[] {1, 1, 1, 3}, 'c');
    Map<String, INDArray> out = sd.output(Map.of("rgb", colours, "grey", greys), rgbL.name(), greyL.name());
    assertThat(out.get(rgbL.name()).shape()).containsExactly(1, 1, 1, 6);
    assertThat(out.get(rgbL.name()).reshape(6).toFloatVector())
        .containsExactly(new float[] {0.5324f, 0.8773f, 0.3230f, 1f, 0f, 0.5339f}, within(2e-4f));
    assertThat(out.get(greyL.name()).reshape(3).toFloatVector())
        .containsExactly(new float[] {0f, 0.5339f, 1f}, within(1e-4f));
  }

  @Test
  void batchesRoundTripThroughLab() {
    Random random = new Random(4);
    float[] v = new float[5 * 3 * 6 * 7];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat();
    }
    v[0] = 0;  // the linear segment of the sRGB curve near black
    v[1] = 0.01f;
    v[2] = 1;
    INDArray rgb = Nd4j.create(v, new long[] {5, 3, 6, 7}, 'c');
    INDArray lab = Lab.fromRgb(rgb);
    assertThat(lab.shape()).containsExactly(5, 3, 6, 7);
    // Channel planes stay in place: pixel (1, :, 2, 3) converts like the scalar function says.
    float[] one = lab(rgb.getFloat(1, 0, 2, 3), rgb.getFloat(1, 1, 2, 3), rgb.getFloat(1, 2, 2, 3));
    assertThat(lab.getFloat(1, 0, 2, 3)).isEqualTo(one[0]);
    assertThat(lab.getFloat(1, 1, 2, 3)).isEqualTo(one[1]);
    assertThat(lab.getFloat(1, 2, 2, 3)).isEqualTo(one[2]);
    INDArray back = Lab.toRgb(lab);
    assertThat(back.sub(rgb).amaxNumber().doubleValue()).isLessThan(1e-4);
  }

  @Test
  void outOfGamutColoursAreClampedToTheUnitCube() {
    INDArray lab = Nd4j.create(new float[] {50, 120, -120}, new long[] {1, 3, 1, 1}, 'c');
    INDArray rgb = Lab.toRgb(lab);
    assertThat(rgb.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(rgb.maxNumber().doubleValue()).isLessThanOrEqualTo(1);
  }
}
