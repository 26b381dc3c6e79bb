package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Augmentation;
import dev.pretext.runtime.config.SuiteConfigException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AugmentationsTest {

  private static Augmentation augmentation(String type, String hocon) {
    return Fixtures.components(1).create(Augmentation.class, type, ConfigFactory.parseString(hocon),
        "test.augmentation");
  }

  private static INDArray images(int n) {
    return Fixtures.sampleImages(n).images();
  }

  /** Random RGB images in [0, 1]. */
  private static INDArray rgb(int n, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.FLOAT, n, 3, 8, 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"random-resized-crop", "horizontal-flip", "color-jitter", "random-grayscale",
      "gaussian-blur", "gaussian-noise"})
  void sameSeedSameResultAndTheInputIsLeftAlone(String type) {
    Augmentation a = augmentation(type, "");
    for (INDArray in : new INDArray[] {images(16), rgb(16, 3)}) {
      INDArray before = in.dup();
      INDArray x = a.apply(in, new Random(11));
      INDArray y = a.apply(in, new Random(11));
      assertThat(x.equals(y)).as("same seed, same result").isTrue();
      assertThat(in.equals(before)).as("input untouched").isTrue();
      assertThat(x.shape()).isEqualTo(in.shape());
      assertThat(x.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(x.maxNumber().doubleValue()).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void cropOfTheWholeImageIsTheIdentity() {
    INDArray in = images(8);
    INDArray out = augmentation("random-resized-crop", "scale = [1, 1], ratio = [1, 1]").apply(in, new Random(2));
    assertThat(out.equals(in)).isTrue();
  }

  @Test
  void defaultCropZoomsIn() {
    INDArray in = images(8);
    INDArray out = augmentation("random-resized-crop", "").apply(in, new Random(2));
    assertThat(out.shape()).containsExactly(8, 1, 28, 28);
    assertThat(out.equals(in)).isFalse();
  }

  @Test
  void bilinearResizeMatchesHandComputedValues() {
    // One 4x4 image whose top-left 2x2 box is [[0, 1], [2, 3]], resized to 4x4.
    float[] v = new float[16];
    v[0] = 0;
    v[1] = 1;
    v[4] = 2;
    v[5] = 3;
    Pixels in = Pixels.copyOf(Nd4j.create(v, new long[] {1, 1, 4, 4}, 'c'));
    Pixels out = in.blank();
    RandomResizedCrop.resize(in, out, 0, new RandomResizedCrop.Box(0, 0, 2, 2));
    // Half-pixel centres: along each axis the weights of the second pixel are 0, 1/4, 3/4, 1.
    float[] w = {0, 0.25f, 0.75f, 1};
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        float expected = (1 - w[y]) * (w[x]) + w[y] * (2 + w[x]);
        assertThat(out.values[y * 4 + x]).as("(%d, %d)", y, x).isCloseTo(expected, within(1e-6f));
      }
    }
  }

  @Test
  void cropBoxesRespectScaleAndRatio() {
    RandomResizedCrop crop = new RandomResizedCrop(new RandomResizedCrop.Settings(0.25, 0.5, 0.5, 2));
    Random random = new Random(4);
    for (int t = 0; t < 200; t++) {
      RandomResizedCrop.Box b = crop.box(28, 28, random);
      double area = b.height() * b.width() / (28.0 * 28.0);
      assertThat(area).isBetween(0.2, 0.56);
      assertThat((double) b.width() / b.height()).isBetween(0.4, 2.5);
      assertThat(b.top() + b.height()).isLessThanOrEqualTo(28);
      assertThat(b.left() + b.width()).isLessThanOrEqualTo(28);
    }
  }

  @Test
  void flipWithProbabilityOneMirrorsExactly() {
    INDArray in = rgb(4, 5);
    INDArray out = augmentation("horizontal-flip", "probability = 1").apply(in, new Random(1));
    for (int x = 0; x < 8; x++) {
      INDArray column = out.get(all(), all(), all(), point(x));
      INDArray mirrored = in.get(all(), all(), all(), point(7 - x));
      assertThat(column.equals(mirrored)).as("column %d", x).isTrue();
    }
    INDArray kept = augmentation("horizontal-flip", "probability = 0").apply(in, new Random(1));
    assertThat(kept.equals(in)).isTrue();
  }

  @Test
  void flipWithDefaultProbabilityFlipsAboutHalf() {
    INDArray in = images(200);
    INDArray out = augmentation("horizontal-flip", "").apply(in, new Random(3));
    int same = 0;
    for (int i = 0; i < 200; i++) {
      same += out.get(point(i))
          .equals(in.get(point(i))) ? 1 : 0;
    }
    assertThat(same).isBetween(70, 130);
  }

  @Test
  void brightnessChangesTheMeanOfEachImage() {
    INDArray in = images(16);
    INDArray out = augmentation("color-jitter",
        "brightness = 0.4, contrast = 0, saturation = 0, hue = 0, probability = 1").apply(in, new Random(6));
    INDArray meanIn = in.mean(1, 2, 3);
    INDArray meanOut = out.mean(1, 2, 3);
    for (int i = 0; i < 16; i++) {
      assertThat(meanOut.getDouble(i)).isNotCloseTo(meanIn.getDouble(i), within(1e-4));
    }
  }

  @Test
  void contrastChangesTheSpreadAroundTheMean() {
    // Values in [0.4, 0.6] so that factors up to 1.4 never clamp.
    INDArray in = Nd4j.rand(DataType.FLOAT, 8, 1, 10, 10).muli(0.2).addi(0.4);
    INDArray out = augmentation("color-jitter",
        "brightness = 0, contrast = 0.4, saturation = 0, hue = 0, probability = 1").apply(in, new Random(6));
    for (int i = 0; i < 8; i++) {
      INDArray a = in.get(point(i));
      INDArray b = out.get(point(i));
      assertThat(b.meanNumber().doubleValue()).isCloseTo(a.meanNumber().doubleValue(), within(1e-4));
      assertThat(b.stdNumber().doubleValue()).isNotCloseTo(a.stdNumber().doubleValue(), within(1e-4));
    }
  }

  @Test
  void hueRotatesColoursButKeepsTheBrightestChannel() {
    INDArray in = rgb(4, 8);
    INDArray out = augmentation("color-jitter",
        "brightness = 0, contrast = 0, saturation = 0, hue = 0.5, probability = 1").apply(in, new Random(6));
    assertThat(out.equals(in)).isFalse();
    INDArray maxIn = in.max(1);
    INDArray maxOut = out.max(1);
    assertThat(maxOut.equalsWithEps(maxIn, 1e-5)).isTrue();
  }

  @Test
  void saturationChangesColourfulnessButKeepsLuma() {
    // Values in [0.4, 0.6] so that factors up to 2 never clamp.
    INDArray in = rgb(4, 9).muli(0.2).addi(0.4);
    INDArray out = augmentation("color-jitter",
        "brightness = 0, contrast = 0, saturation = 1, hue = 0, probability = 1").apply(in, new Random(6));
    INDArray lumaIn = luma(in);
    INDArray lumaOut = luma(out);
    assertThat(out.equals(in)).isFalse();
    assertThat(lumaOut.equalsWithEps(lumaIn, 1e-5)).isTrue();
  }

  @Test
  void colourOnlyJitterLeavesGrayscaleImagesAlone() {
    INDArray in = images(8);
    INDArray out = augmentation("color-jitter",
        "brightness = 0, contrast = 0, saturation = 0.4, hue = 0.1, probability = 1").apply(in, new Random(6));
    assertThat(out.equals(in)).isTrue();
  }

  @Test
  void grayscaleWithProbabilityOneKeepsOnlyLuma() {
    INDArray in = rgb(4, 10);
    INDArray out = augmentation("random-grayscale", "probability = 1").apply(in, new Random(1));
    INDArray expected = luma(in);
    for (int c = 0; c < 3; c++) {
      assertThat(out.get(all(), point(c), all(), all())
          .equalsWithEps(expected, 1e-6)).isTrue();
    }
    INDArray gray = images(4);
    assertThat(augmentation("random-grayscale", "probability = 1").apply(gray, new Random(1)).equals(gray)).isTrue();
  }

  @Test
  void blurReducesVarianceAndKeepsTheMean() {
    INDArray in = images(16);
    INDArray out = augmentation("gaussian-blur", "probability = 1, sigma = [1, 2]").apply(in, new Random(1));
    for (int i = 0; i < 16; i++) {
      INDArray a = in.get(point(i));
      INDArray b = out.get(point(i));
      assertThat(b.varNumber().doubleValue()).isLessThan(a.varNumber().doubleValue());
      assertThat(b.meanNumber().doubleValue()).isCloseTo(a.meanNumber().doubleValue(), within(0.02));
    }
    INDArray kept = augmentation("gaussian-blur", "probability = 0").apply(in, new Random(1));
    assertThat(kept.equals(in)).isTrue();
  }

  @Test
  void blurKernelIsOddAndRelativeToTheImage() {
    GaussianBlur blur = new GaussianBlur(new GaussianBlur.Settings(0.1, 2, 0.1, 0.5));
    assertThat(blur.kernelSize(28)).isEqualTo(3);
    assertThat(blur.kernelSize(96)).isEqualTo(11);
    assertThat(blur.kernelSize(224)).isEqualTo(23);
  }

  @Test
  void noiseHasTheConfiguredStd() {
    INDArray in = Nd4j.valueArrayOf(new long[] {16, 1, 28, 28}, 0.5f);
    INDArray out = augmentation("gaussian-noise", "std = 0.05").apply(in, new Random(1));
    INDArray noise = out.sub(in);
    assertThat(noise.stdNumber().doubleValue()).isCloseTo(0.05, within(0.002));
    assertThat(noise.meanNumber().doubleValue()).isCloseTo(0, within(0.002));
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> augmentation("random-resized-crop", "scale = [0.5, 0.2]"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.augmentation.scale").hasMessageContaining("[low, high]");
    assertThatThrownBy(() -> augmentation("random-resized-crop", "ratio = [1]"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.ratio");
    assertThatThrownBy(() -> augmentation("horizontal-flip", "probability = 1.5"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.probability");
    assertThatThrownBy(() -> augmentation("color-jitter", "hue = 0.7"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.hue");
    assertThatThrownBy(() -> augmentation("gaussian-blur", "sigma = [0, 1]"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.sigma");
    assertThatThrownBy(() -> augmentation("gaussian-blur", "kernel-fraction = 0"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.kernel-fraction");
    assertThatThrownBy(() -> augmentation("gaussian-noise", "std = -1"))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.augmentation.std");
    assertThatThrownBy(() -> augmentation("horizontal-flip", "probabilty = 0.3"))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("did you mean 'probability'");
  }

  private static INDArray luma(INDArray rgb) {
    return rgb.get(all(), point(0), all(), all()).mul(0.299)
        .add(rgb.get(all(), point(1), all(), all()).mul(0.587))
        .add(rgb.get(all(), point(2), all(), all()).mul(0.114));
  }

}
