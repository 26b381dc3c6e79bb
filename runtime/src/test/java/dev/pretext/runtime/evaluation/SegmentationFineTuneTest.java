package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.FakePlugins;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.GarmentScenes;
import dev.pretext.runtime.data.SegmentationSet;
import dev.pretext.runtime.training.TrainingEngine;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SegmentationFineTuneTest {

  @TempDir Path dir;

  private static GarmentScenes.Built scenes;

  @BeforeAll
  static void scenes() {
    scenes = GarmentScenes.build(FashionMnist.load(FashionMnist.Source.EMBEDDED, null),
        new GarmentScenes.Settings(32, 2, 3, 0.5, 0.75, 0.1, 120, 40), 3);
  }

  private static Encoder encoder(int width) {
    Components components = new Components(FakePlugins.registry(), 1, scenes.train().set().shape());
    return components.create(Encoder.class, "tiny-conv", ConfigFactory.parseString("width = " + width), "e");
  }

  private static SegmentationSettings settings(List<Integer> stages, int epochs, double learningRate) {
    return new SegmentationSettings(true, SegmentationSettings.off().data(), stages, 64, 2,
        new SegmentationSettings.FineTune(true, epochs, learningRate, 20));
  }

  @Test
  void logitsAreUpsampledInTheGraphExactlyAsTheProbeUpsamples() {
    SameDiff sd = SameDiff.create();
    INDArray low = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3, 4, 5);
    SDVariable up = SegmentationFineTuneTask.upsample(sd, x, 3, 4, 5, 9, 11);
    float[] graph = sd.output(Map.of("x", low), up.name()).get(up.name()).dup('c').data().asFloat();
    float[] probe = new float[2 * 3 * 9 * 11];
    Bilinear.resample(low.dup('c').data().asFloat(), 0, 6, 4, 5, new Bilinear(4, 9), new Bilinear(5, 11), probe, 0);
    assertThat(graph).hasSize(probe.length);
    for (int i = 0; i < probe.length; i++) {
      assertThat(graph[i]).as("value %d", i).isCloseTo(probe[i], within(1e-5f));
    }
    // PyTorch F.interpolate([[1, 5]], size=(1, 4), mode="bilinear", align_corners=False) = [1, 2, 4, 5].
    SDVariable row = sd.placeHolder("row", DataType.FLOAT, -1, 1, 1, 2);
    SDVariable wide = SegmentationFineTuneTask.upsample(sd, row, 1, 1, 2, 1, 4);
    INDArray out = sd.output(Map.of("row", Nd4j.create(new float[] {1, 5}, new long[] {1, 1, 1, 2})), wide.name())
        .get(wide.name());
    assertThat(out.dup('c').data().asFloat()).containsExactly(1f, 2f, 4f, 5f);
  }

  @Test
  void targetsAreOneHotOverTheLabelledPixelsAndZeroWhereIgnored() {
    // Two 1 × 2 scenes, three classes; one pixel ignored: three labelled pixels, each weighted 1/3.
    INDArray t = SegmentationFineTuneTask.targets(new int[] {2, SegmentationSet.IGNORE, 0, 1}, 2, 3,
        new ImageShape(1, 1, 2));
    assertThat(t.shape()).containsExactly(2, 3, 1, 2);
    float third = 1f / 3;
    assertThat(t.dup('c').data().asFloat()).containsExactly(
        0, 0, 0, 0, third, 0,
        third, 0, 0, third, 0, 0);
  }

  /** The training graph on a batch of scenes, with the loss set; returns the graph's loss variable. */
  private static SameDiff trainingGraph(SegmentationFineTuneTask task, String[] loss) {
    GraphBuilder g = GraphBuilder.create(5);
    var taskGraph = task.build(g, encoder(4), scenes.train().set().shape());
    g.sameDiff().setLossVariables(taskGraph.loss());
    loss[0] = taskGraph.loss();
    return g.sameDiff();
  }

  @Test
  void ignoredPixelsAddNothingToTheLossOrItsGradient() {
    SegmentationSet train = scenes.train().set();
    SegmentationSettings settings = settings(List.of(1, -1), 1, 1e-3);
    SegmentationFineTuneTask task = new SegmentationFineTuneTask(train, settings,
        List.of(new long[] {4, 32, 32}, new long[] {4, 16, 16}), null);
    String[] loss = new String[1];
    SameDiff sd = trainingGraph(task, loss);
    int[] idx = {0, 1, 2, 3};
    int[] masks = train.masksOf(idx);
    // Ignore every third pixel.
    for (int i = 0; i < masks.length; i += 3) {
      masks[i] = SegmentationSet.IGNORE;
    }
    ImageShape shape = train.shape();
    int classes = train.classCount();
    Map<String, INDArray> feed = new HashMap<>(Map.of(SegmentationFineTuneTask.IMAGES, train.batch(idx),
        SegmentationFineTuneTask.TARGETS, SegmentationFineTuneTask.targets(masks, idx.length, classes, shape)));

    // The loss is the mean cross-entropy over the labelled pixels only, from the graph's own logits.
    Map<String, INDArray> out = sd.output(feed, loss[0], task.logitsName());
    float[] logits = out.get(task.logitsName()).dup('c').data().asFloat();
    int plane = shape.height() * shape.width();
    double sum = 0;
    int labelled = 0;
    for (int b = 0; b < idx.length; b++) {
      for (int p = 0; p < plane; p++) {
        int label = masks[b * plane + p];
        if (label == SegmentationSet.IGNORE) {
          continue;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          max = Math.max(max, logits[(b * classes + c) * plane + p]);
        }
        double z = 0;
        for (int c = 0; c < classes; c++) {
          z += Math.exp(logits[(b * classes + c) * plane + p] - max);
        }
        sum += max + Math.log(z) - logits[(b * classes + label) * plane + p];
        labelled++;
      }
    }
    assertThat(out.get(loss[0]).getDouble(0)).isCloseTo(sum / labelled, within(1e-4));

    // Its gradient with respect to the logits is zero at every ignored pixel, and not elsewhere.
    INDArray dLogits = sd.calculateGradients(feed, task.logitsName()).get(task.logitsName()).dup('c');
    float[] g = dLogits.data().asFloat();
    double ignoredMagnitude = 0;
    double labelledMagnitude = 0;
    for (int b = 0; b < idx.length; b++) {
      for (int c = 0; c < classes; c++) {
        for (int p = 0; p < plane; p++) {
          double v = Math.abs(g[(b * classes + c) * plane + p]);
          if (masks[b * plane + p] == SegmentationSet.IGNORE) {
            ignoredMagnitude += v;
          } else {
            labelledMagnitude += v;
          }
        }
      }
    }
    assertThat(ignoredMagnitude).isZero();
    assertThat(labelledMagnitude).isPositive();

    // Every pixel ignored: a loss of 0 and no gradient on any weight (not NaN).
    int[] none = new int[masks.length];
    Arrays.fill(none, SegmentationSet.IGNORE);
    feed.put(SegmentationFineTuneTask.TARGETS, SegmentationFineTuneTask.targets(none, idx.length, classes, shape));
    assertThat(sd.output(feed, loss[0]).get(loss[0]).getDouble(0)).isZero();
    List<String> weights = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
        .map(SDVariable::name).toList();
    Map<String, INDArray> grads = sd.calculateGradients(feed, weights.toArray(String[]::new));
    for (String w : weights) {
      assertThat(grads.get(w).amaxNumber().doubleValue()).as(w).isZero();
    }
  }

  @Test
  void startsFromTheTrainedEncoderAndTrainsItToo() {
    SegmentationSet train = scenes.train().set();
    // A "trained" encoder: the same encoder's graph under another seed.
    GraphBuilder other = GraphBuilder.create(77);
    encoder(4).create(other.scope(GraphBuilder.ENCODER_SCOPE), train.shape())
        .apply(other.placeholder("images", train.shape().batchShape()), train.shape(), EncoderModule.MAIN);
    SegmentationFineTuneTask task = new SegmentationFineTuneTask(train, settings(List.of(-1), 1, 1e-3),
        List.of(new long[] {4, 16, 16}), other.sameDiff());
    String[] loss = new String[1];
    SameDiff sd = trainingGraph(task, loss);
    List<SDVariable> encoderWeights = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE && v.name().startsWith(GraphBuilder.ENCODER_SCOPE))
        .toList();
    assertThat(encoderWeights).isNotEmpty();
    for (SDVariable v : encoderWeights) {
      assertThat(v.getArr()).as(v.name()).isEqualTo(other.sameDiff().getVariable(v.name()).getArr());
    }
  }

  /**
   * Scenes whose classes differ only in orientation: on a black 16 × 16 canvas, a block of
   * horizontal stripes (class 1) and one of vertical stripes (class 2), each of random position,
   * phase and brightness; the same intensities either way, so a pixel's class is in the direction
   * of its neighbourhood's edges alone.
   */
  static SegmentationSet stripes(int n, long seed) {
    int side = 16;
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    float[] images = new float[n * side * side];
    byte[] masks = new byte[n * side * side];
    for (int i = 0; i < n; i++) {
      for (int cls = 1; cls <= 2; cls++) {
        int h = 5 + random.nextInt(4);
        int w = 5 + random.nextInt(4);
        int y0 = random.nextInt(side - h + 1);
        int x0 = random.nextInt(side - w + 1);
        int phase = random.nextInt(2);
        float bright = 0.4f + 0.6f * (float) random.nextDouble();
        for (int y = y0; y < y0 + h; y++) {
          for (int x = x0; x < x0 + w; x++) {
            int along = cls == 1 ? y : x;
            int p = i * side * side + y * side + x;
            images[p] = (along + phase) % 2 == 0 ? bright : 0f;
            masks[p] = (byte) cls;
          }
        }
      }
    }
    INDArray x = Nd4j.create(images, new long[] {n, 1, side, side}, 'c');
    return new SegmentationSet(new dev.pretext.runtime.data.ImageSet(x, new int[n], List.of("none"), "stripes"), masks,
        List.of("background", "horizontal", "vertical"), "stripes");
  }

  @Test
  void fineTuningLowersItsLossAndBeatsTheFrozenProbeOfARandomEncoder() {
    SegmentationSet train = stripes(80, 1);
    SegmentationSet test = stripes(40, 2);
    SegmentationSettings settings = settings(List.of(1, -1), 10, 0.03);
    Suite.ProbeSettings probe = new Suite.ProbeSettings(100, 2000, 256, 1e-3, 1e-4, List.of(1e-4, 1e-2), 0.1, 1000,
        20, 5);
    // The same random encoder, frozen: its two channels see orientation only by chance.
    SegmentationProbe.Result frozen = SegmentationProbe.run(
        EncoderFeatureMaps.build(encoder(2), train.shape(), settings, 1).calibrate(train.images(), 2, 64, 1),
        train, test, settings, probe, 1);
    SegmentationFineTune.Result tuned = SegmentationFineTune.run(new TrainingEngine(), "random-init",
        () -> encoder(2), null, train, test, settings, 2, 1, dir.resolve("work"));
    assertThat(tuned.steps()).isEqualTo(10 * (80 / 20));
    assertThat(tuned.epochLosses().get(tuned.epochLosses().size() - 1)).isLessThan(tuned.epochLosses().get(0) * 0.5);
    // Measured: frozen mIoU 0.49, fine-tuned 0.80.
    assertThat(tuned.scores().miou()).isGreaterThan(frozen.miou() + 0.2);
    assertThat(tuned.scores().pixelAccuracy()).isGreaterThan(frozen.pixelAccuracy());
    assertThat(tuned.scores().pictures()).hasSize(2);
    assertThat(dir.resolve("work")).doesNotExist();
  }
}
