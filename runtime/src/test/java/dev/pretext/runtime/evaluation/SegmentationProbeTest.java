package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.GarmentScenes;
import dev.pretext.runtime.data.SegmentationSet;
import dev.pretext.runtime.training.LinearHead;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SegmentationProbeTest {

  private static GarmentScenes.Built scenes;

  @BeforeAll
  static void scenes() {
    scenes = GarmentScenes.build(FashionMnist.load(FashionMnist.Source.EMBEDDED, null),
        new GarmentScenes.Settings(32, 2, 3, 0.5, 0.75, 0.1, 120, 40), 3);
  }

  private static SegmentationSettings settings(int pixels) {
    return new SegmentationSettings(true, SegmentationSettings.off().data(), List.of(-1), pixels, 3);
  }

  private static Suite.ProbeSettings probe() {
    return new Suite.ProbeSettings(100, 2000, 256, 1e-3, 1e-4, List.of(1e-4, 1e-2), 0.1, 1000, 20, 5);
  }

  @Test
  void bilinearUpsamplingUsesHalfPixelCentresAndClampsAtTheEdges() {
    // PyTorch F.interpolate([a, b], size=4, mode="linear", align_corners=False) = [a, .75a+.25b, .25a+.75b, b].
    float[] out = new float[4];
    Bilinear.resample(new float[] {1, 5}, 0, 1, 1, 2, new Bilinear(1, 1), new Bilinear(2, 4), out, 0);
    assertThat(out).containsExactly(1f, 2f, 4f, 5f);
    // Same size: the identity.
    float[] same = new float[3];
    Bilinear.resample(new float[] {3, 1, 2}, 0, 1, 1, 3, new Bilinear(1, 1), new Bilinear(3, 3), same, 0);
    assertThat(same).containsExactly(3f, 1f, 2f);
  }

  @Test
  void upsampledLogitsEqualTheClassifierOnUpsampledFeatures() {
    // Two maps at two resolutions; the test path (logits per map, then upsampled) must predict what
    // the fit path's features (upsampled per pixel, then the classifier) predict.
    INDArray coarse = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
    INDArray fine = Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8);
    List<INDArray> maps = List.of(coarse, fine);
    INDArray w = Nd4j.randn(DataType.FLOAT, 5, 4);
    INDArray b = Nd4j.randn(DataType.FLOAT, 4);
    int[] predicted = SegmentationProbe.predict(maps, new LinearHead(w, b), 16, 16);
    List<float[]> data = List.of(coarse.data().asFloat(), fine.data().asFloat());
    float[] features = new float[5];
    for (int k = 0; k < 2; k++) {
      for (int p = 0; p < 256; p++) {
        SegmentationProbe.pixelFeatures(maps, data, SegmentationProbe.axes(maps, 16, 16), k, p / 16, p % 16,
            features, 0);
        INDArray logits = Nd4j.create(features, new long[] {1, 5}).mmul(w).addRowVector(b);
        assertThat(predicted[k * 256 + p]).as("scene %d pixel %d", k, p).isEqualTo(logits.argMax(1).getInt(0));
      }
    }
  }

  @Test
  void scoresAreVocIouOverAllPixelsWithAbsentClassesLeftOutOfTheMean() {
    // truth × predicted: class 0 has 8 pixels (6 right, 2 called 1), class 1 has 2 (1 right, 1
    // called 0), class 2 is absent but predicted once (from class 0... counted above as 0→2).
    long[][] confusion = {{6, 1, 1}, {1, 1, 0}, {0, 0, 0}};
    SegmentationProbe.Result r = SegmentationProbe.score(confusion, List.of("bg", "a", "b"),
        new LinearProbe.Choice(1e-4, 1, 0), 10, List.of());
    // IoU bg = 6 / (8 + 7 - 6) = 6/9; IoU a = 1 / (2 + 2 - 1) = 1/3; b: 0 / (0 + 1 - 0) = 0, not present.
    assertThat(r.classIou().get("bg")).isCloseTo(6.0 / 9, within(1e-12));
    assertThat(r.classIou().get("a")).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(r.classIou().get("b")).isEqualTo(0.0);
    assertThat(r.miou()).isCloseTo((6.0 / 9 + 1.0 / 3) / 2, within(1e-12));
    assertThat(r.pixelAccuracy()).isCloseTo(7.0 / 10, within(1e-12));
  }

  @Test
  void masksAsFeaturesSegmentPerfectlyAndAtHalfResolutionAlmost() {
    SegmentationSet train = scenes.train().set();
    SegmentationSet test = scenes.test().set();
    // The true mask, one-hot per class, at full resolution: the probe must find it exactly.
    SegmentationProbe.Result full = SegmentationProbe.run(oneHotMasks(1), train, test, settings(64), probe(), 1);
    assertThat(full.miou()).isGreaterThan(0.999);
    assertThat(full.pixelAccuracy()).isGreaterThan(0.999);
    assertThat(full.pictures()).hasSize(3);
    assertThat(full.pictures().get(0)).containsExactly(test.mask(0));
    // Averaged over 2 × 2 blocks and upsampled again: boundaries blur, the rest stays.
    SegmentationProbe.Result half = SegmentationProbe.run(oneHotMasks(2), train, test, settings(64), probe(), 1);
    assertThat(half.miou()).isBetween(0.5, 0.99);
    assertThat(half.pixelAccuracy()).isGreaterThan(0.85);
  }

  @Test
  void rawPixelNeighbourhoodsBeatPredictingBackground() {
    SegmentationSet train = scenes.train().set();
    SegmentationSet test = scenes.test().set();
    SegmentationProbe.Result raw = SegmentationProbe.run(DenseFeatures.pixelNeighbourhoods(), train, test,
        settings(128), probe(), 1);
    long[] counts = test.pixelCounts();
    double background = (double) counts[0] / java.util.Arrays.stream(counts).sum();
    long present = java.util.Arrays.stream(counts).filter(c -> c > 0).count();
    // Everything "background" would score pixel accuracy = its share, mIoU = its share / classes present.
    assertThat(raw.classIou().get("background")).isGreaterThan(0.9);
    assertThat(raw.pixelAccuracy()).isGreaterThan(background + 0.02);
    assertThat(raw.miou()).isGreaterThan(background / present + 0.03).isLessThan(0.9);
    assertThat(raw.fittedPixels()).isEqualTo(120 * 128);
  }

  @Test
  void pixelNeighbourhoodsAreTheNineShiftedImagesZeroOutside() {
    INDArray image = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 1, 3, 3}, 'c');
    float[] f = DenseFeatures.pixelNeighbourhoods().of(image).get(0).data().asFloat();
    // Feature 0 is the up-left neighbour: at (1, 1) it is 1, at (0, 0) outside = 0.
    assertThat(f[0 * 9 + 1 * 3 + 1]).isEqualTo(1f);
    assertThat(f[0]).isEqualTo(0f);
    // Feature 4 is the pixel itself; feature 8 the down-right neighbour.
    assertThat(java.util.Arrays.copyOfRange(f, 4 * 9, 5 * 9)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(f[8 * 9 + 0]).isEqualTo(5f);
    assertThat(f[8 * 9 + 8]).isEqualTo(0f);
  }

  /** Features that are the true mask, one-hot per class, averaged over {@code block}² blocks. */
  private static DenseFeatures oneHotMasks(int block) {
    java.util.Map<Integer, int[]> masks = new java.util.HashMap<>();
    for (SegmentationSet set : List.of(scenes.train().set(), scenes.test().set())) {
      for (int i = 0; i < set.size(); i++) {
        masks.put(java.util.Arrays.hashCode(set.image(i).dup('c').data().asFloat()), set.mask(i));
      }
    }
    return images -> {
      long[] s = images.shape();
      int n = (int) s[0];
      int h = (int) s[2];
      int w = (int) s[3];
      int classes = GarmentScenes.CLASS_NAMES.size();
      int mh = h / block;
      int mw = w / block;
      float[] out = new float[n * classes * mh * mw];
      for (int b = 0; b < n; b++) {
        int[] mask = masks.get(java.util.Arrays.hashCode(
            images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)).dup('c').data().asFloat()));
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            out[((b * classes + mask[y * w + x]) * mh + y / block) * mw + x / block] += 1f / (block * block);
          }
        }
      }
      return List.of(Nd4j.create(out, new long[] {n, classes, mh, mw}, 'c'));
    };
  }
}
