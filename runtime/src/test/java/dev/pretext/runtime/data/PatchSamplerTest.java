package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class PatchSamplerTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  /**
   * {@code count} 60 x 40 images where red = x, green = y (in 1/255 steps) and blue = 10 * the
   * image's index, so a patch tells where it was cut and from which image.
   */
  private Path gradients(int count) throws IOException {
    Path root = dir.resolve("photos");
    for (int i = 0; i < count; i++) {
      int blue = 10 * i;
      ImageFiles.rgb(root.resolve("img" + i + ".png"), 60, 40, (x, y) -> x << 16 | y << 8 | blue);
    }
    return root;
  }

  private static Set<Integer> sourceImages(ImageSet set) {
    Set<Integer> sources = new HashSet<>();
    for (int n = 0; n < set.size(); n++) {
      sources.add(Math.round(set.images().getFloat(n, 2, 0, 0) * 255 / 10));
    }
    return sources;
  }

  @Test
  void patchesHaveTheShapeAreExactCropsWithinTheImageAndAreSeeded() throws IOException {
    Path root = gradients(3);
    // short-side 40 = the images' own: no downscale, so pixel values are exact coordinates.
    PatchSampler.Settings settings = new PatchSampler.Settings(8, 30, 0, 40);

    PretrainingData data = PatchSampler.sample(root, settings, 3, 5, warnings::add);

    ImageSet train = data.train();
    assertThat(train.size()).isEqualTo(30);
    assertThat(train.shape()).hasToString("3x8x8");
    assertThat(data.heldOut()).isNull();
    INDArray images = train.images();
    Set<Integer> positions = new HashSet<>();
    for (int n = 0; n < train.size(); n++) {
      int x0 = Math.round(images.getFloat(n, 0, 0, 0) * 255);
      int y0 = Math.round(images.getFloat(n, 1, 0, 0) * 255);
      assertThat(x0).isBetween(0, 60 - 8);
      assertThat(y0).isBetween(0, 40 - 8);
      positions.add(x0 * 100 + y0);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          assertThat(images.getFloat(n, 0, y, x)).isEqualTo((x0 + x) / 255f);
          assertThat(images.getFloat(n, 1, y, x)).isEqualTo((y0 + y) / 255f);
        }
      }
    }
    assertThat(positions).hasSizeGreaterThan(20);
    assertThat(sourceImages(train)).containsExactlyInAnyOrder(0, 1, 2);

    PretrainingData again = PatchSampler.sample(root, settings, 3, 5, w -> {});
    assertThat(again.train().images()).isEqualTo(images);
    PretrainingData otherSeed = PatchSampler.sample(root, settings, 3, 6, w -> {});
    assertThat(otherSeed.train().images()).isNotEqualTo(images);
  }

  @Test
  void heldOutPatchesComeFromOtherImagesThanTrainingPatches() throws IOException {
    Path root = gradients(6);

    PretrainingData data = PatchSampler.sample(root, new PatchSampler.Settings(8, 40, 20, 40), 3,
        1, warnings::add);

    assertThat(data.heldOut().size()).isEqualTo(20);
    Set<Integer> train = sourceImages(data.train());
    Set<Integer> heldOut = sourceImages(data.heldOut());
    assertThat(heldOut).isNotEmpty().doesNotContainAnyElementsOf(train);
    assertThat(train.size() + heldOut.size()).isEqualTo(6);
    assertThat(data.description()).contains("20 held out from " + heldOut.size() + " other images");
  }

  @Test
  void oneImageSharesHeldOutWithAWarning() throws IOException {
    Path root = gradients(1);

    PretrainingData data = PatchSampler.sample(root, new PatchSampler.Settings(8, 10, 5, 40), 3, 1,
        warnings::add);

    assertThat(data.heldOut().size()).isEqualTo(5);
    assertThat(warnings).anyMatch(w -> w.contains("only one usable image"));
  }

  @Test
  void largeImagesAreShrunkBeforeCuttingAndLumaHasOneChannel() throws IOException {
    Path root = dir.resolve("big");
    // Left half red, right half white; shrunk to 32 x 16, a 16-pixel patch usually shows both.
    ImageFiles.rgb(root.resolve("big.png"), 400, 200, (x, y) -> x < 200 ? 0xFF0000 : 0xFFFFFF);

    PretrainingData data = PatchSampler.sample(root, new PatchSampler.Settings(16, 50, 0, 16), 1,
        3, warnings::add);

    assertThat(data.train().shape()).hasToString("1x16x16");
    INDArray images = data.train().images();
    int both = 0;
    for (int n = 0; n < data.train().size(); n++) {
      int red = 0;
      for (int x = 0; x < 16; x++) {
        float v = images.getFloat(n, 0, 8, x);
        // Red's luma, then white: the boundary falls on a pixel edge, so nothing is blended.
        assertThat(v).isCloseTo(x < 16 && red == x && v < 0.5f ? 0.299f : 1f, within(1e-3f));
        if (v < 0.5f) {
          red++;
        }
      }
      both += red > 0 && red < 16 ? 1 : 0;
    }
    // Uncut at 400 x 200, a patch would straddle the boundary about 4% of the time.
    assertThat(both).isGreaterThan(30);
  }

  @Test
  void downscaleAveragesAreasExactly() {
    float[] values = new float[4 * 6];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 6) < 3 ? 0f : 1f;
    }
    ImageRaster image = new ImageRaster(1, 4, 6, values);

    ImageRaster small = image.downscaleShortSide(2);

    assertThat(small.height()).isEqualTo(2);
    assertThat(small.width()).isEqualTo(3);
    // Columns 0-1 → 0, 2-3 → half, 4-5 → 1.
    assertThat(small.values()).containsExactly(0f, 0.5f, 1f, 0f, 0.5f, 1f);
    assertThat(image.downscaleShortSide(10)).isSameAs(image);
  }

  @Test
  void imagesSmallerThanAPatchAreSkippedAndAFolderOfOnlyThoseFails() throws IOException {
    Path root = dir.resolve("tiny");
    Path small = ImageFiles.flat(root.resolve("small.png"), 5, 5, 0);

    assertThatThrownBy(() -> PatchSampler.sample(root, new PatchSampler.Settings(8, 10, 0, 0), 3,
        1, warnings::add))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("none of the 1 images could be used")
        .hasMessageContaining(small + ": is 5x5, smaller than patch-size 8");
  }

  @Test
  void corruptImageIsSkippedAndItsShareCutFromTheOthers() throws IOException {
    Path root = gradients(2);
    Path bad = ImageFiles.corrupt(root.resolve("zz-broken.png"));

    PretrainingData data = PatchSampler.sample(root, new PatchSampler.Settings(8, 25, 0, 40), 3, 1,
        warnings::add);

    assertThat(data.train().size()).isEqualTo(25);
    assertThat(warnings).anyMatch(w -> w.startsWith("skipped " + bad));
  }
}
