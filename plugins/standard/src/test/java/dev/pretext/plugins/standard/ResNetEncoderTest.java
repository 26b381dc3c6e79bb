package dev.pretext.plugins.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.toolkit.graph.Ops;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class ResNetEncoderTest {

  /** Applies {@code encoder} to each of {@code sides} (square 1-channel images) in one graph; shapes of each output. */
  private static List<List<long[]>> shapes(Encoder encoder, int... sides) {
    GraphBuilder g = GraphBuilder.create(1);
    EncoderModule module = encoder.create(g.scope("enc"), new ImageShape(1, 28, 28));
    Map<String, INDArray> feed = new HashMap<>();
    List<List<String>> names = new ArrayList<>();
    for (int side : sides) {
      SDVariable x = g.placeholder("x" + side, -1, 1, side, side);
      EncoderModule.EncoderOutput out = module.apply(x, new ImageShape(1, side, side), side == 28 ? EncoderModule.MAIN
          : "side" + side);
      List<String> outputs = new ArrayList<>(List.of(out.representation().name()));
      out.featureMaps().forEach(m -> outputs.add(m.name()));
      names.add(outputs);
      feed.put(x.name(), Nd4j.rand(DataType.FLOAT, 2, 1, side, side));
    }
    String[] all = names.stream().flatMap(List::stream).toArray(String[]::new);
    Map<String, INDArray> values = g.sameDiff().output(feed, all);
    return names.stream().map(list -> list.stream().map(n -> values.get(n).shape()).toList()).toList();
  }

  @Test
  void resNet20FromDefaultsKeepsTheSizeThenHalvesItPerStage() {
    Encoder resnet = Fixtures.encoder("resnet", "", 1);
    List<List<long[]>> out = shapes(resnet, 28, 64, 7);
    // Representation, then one map per stage, channels first: 28 → 28, 14, 7; 64 → 64, 32, 16; 7 → 7, 4, 2.
    assertThat(out.get(0)).containsExactly(new long[] {2, 64}, new long[] {2, 16, 28, 28}, new long[] {2, 32, 14, 14},
        new long[] {2, 64, 7, 7});
    assertThat(out.get(1)).containsExactly(new long[] {2, 64}, new long[] {2, 16, 64, 64}, new long[] {2, 32, 32, 32},
        new long[] {2, 64, 16, 16});
    assertThat(out.get(2)).containsExactly(new long[] {2, 64}, new long[] {2, 16, 7, 7}, new long[] {2, 32, 4, 4},
        new long[] {2, 64, 2, 2});
  }

  @Test
  void theImagenetStemDividesBy4BeforeTheStages() {
    Encoder resnet = Fixtures.encoder("resnet", "stem = imagenet, widths = [8, 16, 32], blocks = [1, 1, 1]", 1);
    List<List<long[]>> out = shapes(resnet, 28, 64, 9);
    // 28 → conv 14 → pool 7 → 7, 4, 2; 64 → 16 → 16, 8, 4; 9 → 5 → 3 → 3, 2, 1 (jigsaw's tiles).
    assertThat(out.get(0)).containsExactly(new long[] {2, 32}, new long[] {2, 8, 7, 7}, new long[] {2, 16, 4, 4},
        new long[] {2, 32, 2, 2});
    assertThat(out.get(1)).containsExactly(new long[] {2, 32}, new long[] {2, 8, 16, 16}, new long[] {2, 16, 8, 8},
        new long[] {2, 32, 4, 4});
    assertThat(out.get(2)).containsExactly(new long[] {2, 32}, new long[] {2, 8, 3, 3}, new long[] {2, 16, 2, 2},
        new long[] {2, 32, 1, 1});
  }

  @Test
  void thePresetsAreResNet20AndResNet18AndTakeTheSameKeys() {
    assertThat(Fixtures.encoder("resnet20", "", 1)).isInstanceOfSatisfying(ResNetEncoder.class,
        e -> assertThat(new ResNetEncoder(new ResNetEncoder.Settings(List.of(16, 32, 64), List.of(3, 3, 3),
            ResNetEncoder.Stem.CIFAR))).usingRecursiveComparison().isEqualTo(e));
    List<List<long[]>> out = shapes(Fixtures.encoder("resnet18", "", 1), 64);
    assertThat(out.get(0)).containsExactly(new long[] {2, 512}, new long[] {2, 64, 16, 16},
        new long[] {2, 128, 8, 8}, new long[] {2, 256, 4, 4}, new long[] {2, 512, 2, 2});
    // resnet18's imagenet stem stays under overridden widths and blocks.
    out = shapes(Fixtures.encoder("resnet18", "widths = [4, 8], blocks = [1, 1]", 1), 28);
    assertThat(out.get(0)).containsExactly(new long[] {2, 8}, new long[] {2, 4, 7, 7}, new long[] {2, 8, 4, 4});
  }

  @Test
  void oneSetOfWeightsWithAProjectionOnlyWhereAStageChangesShape() {
    GraphBuilder g = GraphBuilder.create(1);
    Fixtures.encoder("resnet", "widths = [4, 8], blocks = [2, 1]", 1).create(g.scope("enc"), new ImageShape(1, 28, 28))
        .apply(g.placeholder("x", -1, 1, 28, 28), new ImageShape(1, 28, 28), EncoderModule.MAIN);
    List<String> block = List.of("conv1_w", "bn1_gamma", "bn1_beta", "conv2_w", "bn2_gamma", "bn2_beta");
    List<String> expected = new ArrayList<>(List.of("enc/stem_w", "enc/stem_bn_gamma", "enc/stem_bn_beta",
        "enc/stage2_block1_shortcut_w", "enc/stage2_block1_shortcut_bn_gamma", "enc/stage2_block1_shortcut_bn_beta"));
    for (String b : List.of("stage1_block1_", "stage1_block2_", "stage2_block1_")) {
      block.forEach(v -> expected.add("enc/" + b + v));
    }
    assertThat(g.sameDiff().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
        .map(SDVariable::name)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(g.sameDiff().getVariable("enc/stage2_block1_shortcut_w").getShape()).containsExactly(1, 1, 4, 8);
    // PyTorch's defaults: γ = 1 in every batch norm, the last of each block too.
    assertThat(g.sameDiff().getVariable("enc/stage1_block1_bn2_gamma").getArr().minNumber().doubleValue()).isEqualTo(1);
  }

  @Test
  void aGradientReachesTheStemThroughTheShortcutsAlone() {
    GraphBuilder g = GraphBuilder.create(2);
    EncoderModule module = Fixtures.encoder("resnet", "widths = [4, 8, 8], blocks = [1, 1, 1]", 2)
        .create(g.scope("enc"), new ImageShape(1, 28, 28));
    SDVariable h = module.apply(g.placeholder("x", -1, 1, 28, 28), new ImageShape(1, 28, 28), EncoderModule.MAIN)
        .representation();
    SameDiff sd = g.sameDiff();
    // Every residual branch silenced (its last batch norm's γ and β zero): what reaches the stem
    // went through the identity (stage 1) and the 1×1 projections (stages 2 and 3).
    for (String b : List.of("stage1_block1", "stage2_block1", "stage3_block1")) {
      sd.getVariable("enc/" + b + "_bn2_gamma").getArr().assign(0);
      sd.getVariable("enc/" + b + "_bn2_beta").getArr().assign(0);
    }
    SDVariable weights = sd.constant("r", Nd4j.rand(DataType.FLOAT, 1, 8).subi(0.5));
    sd.setLossVariables(h.mul(weights).sum());
    Map<String, INDArray> grads = quietly(() -> sd.calculateGradients(
        Map.of("x", Fixtures.sampleImages(8).images()), "enc/stem_w", "enc/stage2_block1_shortcut_w",
        "enc/stage3_block1_shortcut_w", "enc/stage2_block1_conv1_w"));
    assertThat(grads.get("enc/stem_w").norm2Number().doubleValue()).isPositive();
    assertThat(grads.get("enc/stage2_block1_shortcut_w").norm2Number().doubleValue()).isPositive();
    assertThat(grads.get("enc/stage3_block1_shortcut_w").norm2Number().doubleValue()).isPositive();
    assertThat(grads.get("enc/stage2_block1_conv1_w").amaxNumber().doubleValue()).as("the silenced branch")
        .isLessThan(1e-6);
  }

  @Test
  void valuesMatchAPlainJavaResNetOnEvenAndOddSides() {
    // Stem, an identity block, a stride-2 block with a projection: on 6×6 a pixel's misalignment of
    // the two branches (libnd4j's SAME padding) or a wrong stride changes the values.
    for (int side : new int[] {6, 5}) {
      GraphBuilder g = GraphBuilder.create(3);
      ImageShape shape = new ImageShape(2, side, side);
      EncoderModule module = Fixtures.encoder("resnet", "widths = [3, 4], blocks = [1, 1]", 3)
          .create(g.scope("enc"), shape);
      EncoderModule.EncoderOutput out = module.apply(g.placeholder("x", -1, 2, side, side), shape, EncoderModule.MAIN);
      SameDiff sd = g.sameDiff();
      // Non-trivial batch-norm scales and shifts, so a swapped γ/β or a missing one shows.
      java.util.Random random = new java.util.Random(side);
      sd.variables().stream().filter(v -> v.name().endsWith("_gamma") || v.name().endsWith("_beta"))
          .forEach(v -> v.getArr().assign(Nd4j.create(IntStream.range(0, (int) v.getArr().length())
              .mapToDouble(i -> 0.5 + random.nextDouble()).toArray(), v.getArr().shape()).castTo(DataType.FLOAT)));
      INDArray images = Nd4j.rand(DataType.FLOAT, 3, 2, side, side);
      String last = out.featureMaps().get(1).name();
      Map<String, INDArray> values = sd.output(Map.of("x", images), last, out.representation().name());

      Plain p = new Plain(sd);
      double[][][][] x = p.relu(p.bn(p.conv(Plain.of(images), "stem_w", 1), "stem_bn"));
      x = p.relu(add(p.bn(p.conv(p.relu(p.bn(p.conv(x, "stage1_block1_conv1_w", 1), "stage1_block1_bn1")),
          "stage1_block1_conv2_w", 1), "stage1_block1_bn2"), x));
      double[][][][] shortcut = p.bn(p.conv(x, "stage2_block1_shortcut_w", 2), "stage2_block1_shortcut_bn");
      x = p.relu(add(p.bn(p.conv(p.relu(p.bn(p.conv(x, "stage2_block1_conv1_w", 2), "stage2_block1_bn1")),
          "stage2_block1_conv2_w", 1), "stage2_block1_bn2"), shortcut));

      INDArray actual = values.get(last);
      int outSide = (side + 1) / 2;
      assertThat(actual.shape()).containsExactly(3, 4, outSide, outSide);
      double worst = 0;
      for (int n = 0; n < 3; n++) {
        for (int c = 0; c < 4; c++) {
          for (int i = 0; i < outSide; i++) {
            for (int j = 0; j < outSide; j++) {
              worst = Math.max(worst, Math.abs(actual.getDouble(n, c, i, j) - x[n][c][i][j]));
            }
          }
        }
      }
      assertThat(worst).as("largest difference on %d×%d", side, side).isLessThan(1e-4);
      assertThat(values.get(out.representation().name()).sub(actual.mean(2, 3)).amaxNumber().doubleValue())
          .isLessThan(1e-5);
    }
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> Fixtures.encoder("resnet", "widths = [8, 16], blocks = [1, 1, 1]", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.blocks")
        .hasMessageContaining("as many as widths (2), got 3");
    assertThatThrownBy(() -> Fixtures.encoder("resnet", "widths = [8, 0]", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.widths")
        .hasMessageContaining("each between 1 and 4096, got [8, 0]");
    assertThatThrownBy(() -> Fixtures.encoder("resnet", "blocks = [3, 0, 3]", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.blocks");
    assertThatThrownBy(() -> Fixtures.encoder("resnet20", "stem = tiny", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.encoder.stem")
        .hasMessageContaining("must be 'cifar' or 'imagenet', got 'tiny'");
    assertThatThrownBy(() -> Fixtures.encoder("resnet18", "width = [8]", 1))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("did you mean 'widths'");
    GraphBuilder g = GraphBuilder.create(1);
    EncoderModule module = Fixtures.encoder("resnet", "", 1).create(g, new ImageShape(1, 28, 28));
    assertThatThrownBy(() -> module.apply(g.placeholder("x", -1, 3, 28, 28), new ImageShape(3, 28, 28),
        EncoderModule.MAIN)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-channel");
  }

  @Test
  void aSmallResNetLearnsTheSampleLabels() {
    GraphBuilder g = GraphBuilder.create(4);
    ImageShape shape = Fixtures.sample().train().shape();
    Encoder.Representation h = Fixtures.encoder("resnet", "widths = [8, 16], blocks = [1, 1]", 4)
        .build(g.scope("enc"), g.placeholder("x", -1, 1, 28, 28), shape);
    SDVariable labels = g.placeholder("y", -1, 10);
    SDVariable loss = Ops.softmaxCrossEntropy(g.sameDiff(), Ops.linear(g, "head", h.variable(), h.size(), 10), labels);
    SameDiff sd = g.sameDiff();
    sd.setLossVariables(loss);
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2)).dataSetFeatureMapping("x", "y")
        .markLabelsUnused().build());
    List<Double> losses = new ArrayList<>();
    quietly(() -> {
      var data = Fixtures.sampleImages(320);
      for (int step = 0; step < 20; step++) {
        int from = 32 * step;
        int[] idx = IntStream.range(0, 32).map(i -> (i + from) % 320).toArray();
        INDArray x = data.subset(idx).images();
        INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 10);
        for (int i = 0; i < 32; i++) {
          y.putScalar(i, data.labels()[idx[i]], 1f);
        }
        losses.add(sd.output(Map.of("x", x, "y", y), loss.name()).get(loss.name()).getDouble(0));
        sd.fit(new MultiDataSet(new INDArray[] {x, y}, null));
      }
      return losses;
    });
    double first = losses.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(16, 20).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(losses).allMatch(Double::isFinite);
    assertThat(last).as("cross-entropy of the last 4 steps against the first 4").isLessThan(first * 0.8);
  }

  /** {@code work}'s result, without the "Added differentiated op" lines M2.1 prints building gradients. */
  private static <T> T quietly(java.util.function.Supplier<T> work) {
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      return work.get();
    } finally {
      System.setOut(stdout);
    }
  }

  private static double[][][][] add(double[][][][] a, double[][][][] b) {
    double[][][][] out = new double[a.length][a[0].length][a[0][0].length][a[0][0][0].length];
    for (int n = 0; n < a.length; n++) {
      for (int c = 0; c < a[0].length; c++) {
        for (int i = 0; i < a[0][0].length; i++) {
          for (int j = 0; j < a[0][0][0].length; j++) {
            out[n][c][i][j] = a[n][c][i][j] + b[n][c][i][j];
          }
        }
      }
    }
    return out;
  }

  /** The layers in double-precision loops on {@code [N][C][H][W]} arrays, with the graph's weights. */
  private record Plain(SameDiff sd) {

    static double[][][][] of(INDArray images) {
      long[] s = images.shape();
      double[][][][] x = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
      for (int n = 0; n < s[0]; n++) {
        for (int c = 0; c < s[1]; c++) {
          for (int i = 0; i < s[2]; i++) {
            for (int j = 0; j < s[3]; j++) {
              x[n][c][i][j] = images.getDouble(n, c, i, j);
            }
          }
        }
      }
      return x;
    }

    /** A k×k convolution, weights {@code [k, k, in, out]}, zero padding k/2 on every side, PyTorch's. */
    double[][][][] conv(double[][][][] x, String weights, int stride) {
      INDArray w = sd.getVariable("enc/" + weights).getArr();
      int k = (int) w.size(0);
      int in = (int) w.size(2);
      int out = (int) w.size(3);
      int pad = k / 2;
      int side = x[0][0].length;
      int outSide = (side + 2 * pad - k) / stride + 1;
      double[][][][] y = new double[x.length][out][outSide][outSide];
      for (int n = 0; n < x.length; n++) {
        for (int o = 0; o < out; o++) {
          for (int i = 0; i < outSide; i++) {
            for (int j = 0; j < outSide; j++) {
              double sum = 0;
              for (int c = 0; c < in; c++) {
                for (int a = 0; a < k; a++) {
                  for (int b = 0; b < k; b++) {
                    int r = i * stride - pad + a;
                    int q = j * stride - pad + b;
                    if (r >= 0 && r < side && q >= 0 && q < side) {
                      sum += x[n][c][r][q] * w.getDouble(a, b, c, o);
                    }
                  }
                }
              }
              y[n][o][i][j] = sum;
            }
          }
        }
      }
      return y;
    }

    /** Batch norm on the batch's statistics (biased variance, ε = 1e-5), as in training. */
    double[][][][] bn(double[][][][] x, String name) {
      INDArray gamma = sd.getVariable("enc/" + name + "_gamma").getArr();
      INDArray beta = sd.getVariable("enc/" + name + "_beta").getArr();
      double[][][][] y = new double[x.length][x[0].length][x[0][0].length][x[0][0][0].length];
      for (int c = 0; c < x[0].length; c++) {
        double sum = 0;
        double squares = 0;
        int count = 0;
        for (double[][][] image : x) {
          for (double[] row : image[c]) {
            for (double v : row) {
              sum += v;
              squares += v * v;
              count++;
            }
          }
        }
        double mean = sum / count;
        double scale = gamma.getDouble(c) / Math.sqrt(squares / count - mean * mean + 1e-5);
        for (int n = 0; n < x.length; n++) {
          for (int i = 0; i < x[0][0].length; i++) {
            for (int j = 0; j < x[0][0][0].length; j++) {
              y[n][c][i][j] = (x[n][c][i][j] - mean) * scale + beta.getDouble(c);
            }
          }
        }
      }
      return y;
    }

    double[][][][] relu(double[][][][] x) {
      double[][][][] y = new double[x.length][x[0].length][x[0][0].length][x[0][0][0].length];
      for (int n = 0; n < x.length; n++) {
        for (int c = 0; c < x[0].length; c++) {
          for (int i = 0; i < x[0][0].length; i++) {
            for (int j = 0; j < x[0][0][0].length; j++) {
              y[n][c][i][j] = Math.max(0, x[n][c][i][j]);
            }
          }
        }
      }
      return y;
    }
  }
}
