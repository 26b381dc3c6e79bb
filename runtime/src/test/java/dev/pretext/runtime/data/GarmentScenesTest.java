package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.data.GarmentScenes.Placement;
import dev.pretext.runtime.data.GarmentScenes.Settings;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class GarmentScenesTest {

  private static final FashionMnist.Split SAMPLE =
      FashionMnist.load(FashionMnist.Source.EMBEDDED, null);

  /** 4 x 4 garments with the given pixels and Fashion-MNIST labels. */
  private static ImageSet garments(float[][] pixels, int[] labels, String description) {
    float[] values = new float[pixels.length * 16];
    for (int i = 0; i < pixels.length; i++) {
      System.arraycopy(pixels[i], 0, values, i * 16, 16);
    }
    return new ImageSet(
        Nd4j.create(values, new long[] {pixels.length, 1, 4, 4}, 'c'),
        labels,
        FashionMnist.CLASS_NAMES,
        description);
  }

  private static float[] constant(float value) {
    float[] pixels = new float[16];
    Arrays.fill(pixels, value);
    return pixels;
  }

  /** Pixel p is 0, 0.05, 0.1 (the threshold), 0.11 or 0.9 by p mod 5. */
  private static final float[] STEPS = {0f, 0.05f, 0.1f, 0.11f, 0.9f};

  private static float[] steps() {
    float[] pixels = new float[16];
    for (int p = 0; p < 16; p++) {
      pixels[p] = STEPS[p % 5];
    }
    return pixels;
  }

  private static Settings settings(int canvas, int min, int max, double scale, int scenes) {
    return new Settings(canvas, min, max, scale, scale, GarmentScenes.DEFAULT_THRESHOLD, scenes,
        scenes);
  }

  private static float[] pixels(SegmentationSet set) {
    return set.images().images().data().asFloat();
  }

  private static int[] allMasks(SegmentationSet set) {
    return set.masksOf(IntStream.range(0, set.size()).toArray());
  }

  @Test
  void theSameSeedGivesTheSameScenesAndAnotherSeedOthers() {
    Settings settings = Settings.defaults(30, 10);
    GarmentScenes.Built first = GarmentScenes.build(SAMPLE, settings, 7);
    GarmentScenes.Built again = GarmentScenes.build(SAMPLE, settings, 7);
    GarmentScenes.Built other = GarmentScenes.build(SAMPLE, settings, 8);

    for (var pick : List.<Function<GarmentScenes.Built, GarmentScenes.Scenes>>of(
        GarmentScenes.Built::train, GarmentScenes.Built::test)) {
      SegmentationSet a = pick.apply(first).set();
      assertThat(pixels(pick.apply(again).set())).containsExactly(pixels(a));
      assertThat(allMasks(pick.apply(again).set())).containsExactly(allMasks(a));
      assertThat(pick.apply(again).layouts()).isEqualTo(pick.apply(first).layouts());
      assertThat(pixels(pick.apply(other).set())).isNotEqualTo(pixels(a));
      assertThat(allMasks(pick.apply(other).set())).isNotEqualTo(allMasks(a));
    }
    assertThat(first.train().set().shape()).hasToString("1x64x64");
    assertThat(first.train().set().size()).isEqualTo(30);
    assertThat(first.test().set().size()).isEqualTo(10);
    assertThat(first.train().set().classNames()).isEqualTo(GarmentScenes.CLASS_NAMES);
  }

  @Test
  void testScenesDoNotDependOnTheTrainCountAndPrefixesAreStable() {
    GarmentScenes.Built many = GarmentScenes.build(SAMPLE, Settings.defaults(30, 10), 3);
    GarmentScenes.Built few = GarmentScenes.build(SAMPLE, Settings.defaults(5, 10), 3);

    assertThat(pixels(few.test().set())).containsExactly(pixels(many.test().set()));
    assertThat(allMasks(few.test().set())).containsExactly(allMasks(many.test().set()));
    assertThat(few.train().layouts()).isEqualTo(many.train().layouts().subList(0, 5));
  }

  @Test
  void trainScenesUseOnlyTrainGarmentsAndTestScenesOnlyTestGarments() {
    // Each train garment is a constant 0.20 + label / 100, each test garment 0.60 + label / 100,
    // so every drawn pixel says which split and which garment it came from.
    float[][] train = new float[10][];
    float[][] test = new float[10][];
    int[] labels = new int[10];
    for (int i = 0; i < 10; i++) {
      train[i] = constant(0.20f + i / 100f);
      test[i] = constant(0.60f + i / 100f);
      labels[i] = i;
    }
    GarmentScenes.Built built =
        GarmentScenes.build(garments(train, labels, "train"), garments(test, labels, "test"),
            settings(9, 2, 4, 1.0, 40), 11);

    assertDrawnFrom(built.train(), 0.20f, 10);
    assertDrawnFrom(built.test(), 0.60f, 10);
    assertThat(built.train().set().description()).contains("train from train");
    assertThat(built.test().set().description()).contains("test from test");
  }

  private static void assertDrawnFrom(GarmentScenes.Scenes scenes, float base, int sourceSize) {
    SegmentationSet set = scenes.set();
    float[] pixels = pixels(set);
    int[] masks = allMasks(set);
    int drawn = 0;
    for (int i = 0; i < masks.length; i++) {
      if (masks[i] != 0) {
        assertThat(pixels[i]).isCloseTo(base + (masks[i] - 1) / 100f, Offset.offset(1e-6f));
        drawn++;
      } else {
        assertThat(pixels[i]).isZero();
      }
    }
    assertThat(drawn).isPositive();
    for (List<Placement> layout : scenes.layouts()) {
      assertThat(layout).allSatisfy(p -> assertThat(p.source()).isBetween(0, sourceSize - 1));
    }
  }

  @Test
  void twoHundredSampleScenesShowAllElevenClassesAndMasksMatchTheImages() {
    GarmentScenes.Built built = GarmentScenes.build(SAMPLE, Settings.defaults(200, 50), 1);

    for (GarmentScenes.Scenes scenes : List.of(built.train(), built.test())) {
      SegmentationSet set = scenes.set();
      assertThat(set.pixelCounts()).hasSize(11).doesNotContain(0L);
      float[] pixels = pixels(set);
      int[] masks = allMasks(set);
      for (int i = 0; i < masks.length; i++) {
        if (masks[i] == SegmentationSet.BACKGROUND) {
          assertThat(pixels[i]).isZero();
        } else {
          assertThat(pixels[i]).isGreaterThan(0.1f);
        }
      }
      Set<Integer> counts = new HashSet<>();
      for (List<Placement> layout : scenes.layouts()) {
        counts.add(layout.size());
        assertThat(layout).allSatisfy(p -> {
          assertThat(p.top()).isBetween(0, 64 - 28);
          assertThat(p.left()).isBetween(0, 64 - 28);
          assertThat(p.height()).isEqualTo(28);
        });
      }
      assertThat(counts).containsExactlyInAnyOrder(2, 3, 4);
    }
    // No source garment is used twice before every one has been used once.
    List<Integer> sources = built.train().layouts().stream().flatMap(List::stream)
        .map(Placement::source).toList();
    assertThat(new HashSet<>(sources)).hasSameSizeAs(sources);
  }

  @Test
  void aLaterGarmentCoversAnEarlierOneOnlyWhereItIsAboveTheThreshold() {
    // Garment 0: a full square of 0.5 (Trouser, mask 2). Garment 1: the STEPS pattern (Bag,
    // mask 9). The canvas is the garments' size, so both lie exactly on top of each other.
    ImageSet source = garments(new float[][] {constant(0.5f), steps()}, new int[] {1, 8}, "two");
    GarmentScenes.Built built = GarmentScenes.build(source, source, settings(4, 2, 2, 1.0, 20), 5);

    Set<Integer> firstDrawn = new HashSet<>();
    for (int n = 0; n < 20; n++) {
      List<Placement> layout = built.train().layouts().get(n);
      assertThat(layout).extracting(Placement::source).containsExactlyInAnyOrder(0, 1);
      boolean patternOnTop = layout.get(1).source() == 1;
      firstDrawn.add(layout.get(0).source());
      int[] mask = built.train().set().mask(n);
      float[] image = built.train().set().image(n).data().asFloat();
      for (int p = 0; p < 16; p++) {
        boolean patternShows = patternOnTop && STEPS[p % 5] > 0.1f;
        assertThat(mask[p]).as("scene %d pixel %d", n, p).isEqualTo(patternShows ? 9 : 2);
        assertThat(image[p]).isEqualTo(patternShows ? STEPS[p % 5] : 0.5f);
      }
    }
    assertThat(firstDrawn).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void pixelsAtOrBelowTheThresholdAreBackground() {
    ImageSet source = garments(new float[][] {steps()}, new int[] {8}, "steps");

    SegmentationSet scene =
        GarmentScenes.build(source, source, settings(4, 1, 1, 1.0, 1), 2).train().set();
    int[] mask = scene.mask(0);
    float[] image = scene.image(0).data().asFloat();
    for (int p = 0; p < 16; p++) {
      boolean foreground = STEPS[p % 5] > 0.1f;
      assertThat(mask[p]).isEqualTo(foreground ? 9 : 0);
      assertThat(image[p]).isEqualTo(foreground ? STEPS[p % 5] : 0f);
    }

    SegmentationSet strict =
        GarmentScenes.build(source, source, new Settings(4, 1, 1, 1, 1, 0.5, 1, 1), 2)
            .train().set();
    assertThat(strict.pixelCounts()).containsExactly(13, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0);
  }

  @Test
  void scaledGarmentsAreResampledByNearestNeighbour() {
    float[] quadrants = new float[16];
    for (int p = 0; p < 16; p++) {
      quadrants[p] = (p / 4 < 2 ? 0.3f : 0.7f) + (p % 4 < 2 ? 0f : 0.2f);
    }
    ImageSet source = garments(new float[][] {quadrants}, new int[] {0}, "quadrants");

    SegmentationSet doubled =
        GarmentScenes.build(source, source, settings(8, 1, 1, 2.0, 1), 4).train().set();
    float[] image = doubled.image(0).data().asFloat();
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat(image[y * 8 + x]).isEqualTo(quadrants[(y / 2) * 4 + x / 2]);
      }
    }
    SegmentationSet halved =
        GarmentScenes.build(source, source, settings(8, 1, 1, 0.5, 1), 4).train().set();
    assertThat(halved.pixelCounts()[1]).isEqualTo(4);
  }

  @Test
  void badSettingsAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> settings(64, 5, 3, 1.0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min-garments 5 is above max-garments 3");
    assertThatThrownBy(() -> new Settings(64, 0, 3, 1.0, 1.0, 0.1, 0, 10))
        .hasMessageContaining("min-garments must be at least 1, got 0")
        .hasMessageContaining("train-scenes must be at least 1, got 0");
    assertThatThrownBy(() -> new Settings(64, 2, 4, 1.0, 1.0, 0.1, 10, 0))
        .hasMessageContaining("test-scenes must be at least 1, got 0");
    assertThatThrownBy(() -> new Settings(64, 2, 4, 1.5, 1.0, 0.1, 10, 10))
        .hasMessageContaining("max-scale 1.0 must be a number at least min-scale 1.5");
    assertThatThrownBy(() -> new Settings(64, 2, 4, 1.0, 1.0, 1.0, 10, 10))
        .hasMessageContaining("threshold must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> GarmentScenes.build(SAMPLE, settings(20, 2, 4, 1.0, 10), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("canvas-size 20 is smaller than a garment at max-scale 1.0 (28 x 28 pixels)");
    assertThatThrownBy(
            () -> GarmentScenes.build(SAMPLE, new Settings(64, 2, 4, 1.0, 2.5, 0.1, 10, 10), 1))
        .hasMessageContaining("canvas-size 64 is smaller than a garment at max-scale 2.5 (70 x 70");
  }

  @Test
  void unlabeledSourcesAreRejected() {
    ImageSet unlabeled = new ImageSet(Nd4j.zeros(2, 1, 4, 4), null, List.of(), "unlabeled");

    assertThatThrownBy(
            () -> GarmentScenes.build(unlabeled, unlabeled, settings(8, 1, 2, 1.0, 1), 1))
        .hasMessageContaining(
            "need labeled train images with class names; unlabeled has no labels");
  }
}
