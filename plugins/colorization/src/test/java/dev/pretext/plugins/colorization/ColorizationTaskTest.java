package dev.pretext.plugins.colorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.testkit.TestImages;
import dev.pretext.testkit.TestKit;
import dev.pretext.testkit.TrainedTask;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ColorizationTaskTest {

  private static final ImageShape RGB = new ImageShape(3, 28, 28);

  @TempDir Path dir;

  private static ColorizationTask task(String hocon) {
    return (ColorizationTask) TestKit.task("colorization", hocon, 1, RGB);
  }

  @Test
  void grayscaleDataIsRejectedWithWhatToDoInstead() {
    assertThatThrownBy(() -> TestKit.task("colorization", "", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.task")
        .hasMessageContaining("colorization needs RGB pretraining images")
        .hasMessageContaining("1x28x28 (grayscale)")
        .hasMessageContaining("pretraining-data");
    ColorizationTask task = task("");
    assertThatThrownBy(() -> task.build(GraphBuilder.create(1), TestKit.smallEncoder(1), new ImageShape(1, 28, 28)))
        .hasMessageContaining("needs RGB pretraining images");
    assertThatThrownBy(() -> task.prepare(TestKit.sampleImages(2).images(), new Random(1)))
        .hasMessageContaining("needs RGB pretraining images");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> task("output-stride = 3"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.output-stride");
    assertThatThrownBy(() -> task("decoder.channels = [64, 32, 16]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.decoder.channels")
        .hasMessageContaining("divisible by 4");
    assertThatThrownBy(() -> task("rebalance.lambda = 1.5"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.rebalance.lambda");
    assertThatThrownBy(() -> task("decoding.temperature = 0"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.decoding.temperature");
    assertThatThrownBy(() -> task("bins.grid-size = 2"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.bins.grid-size");
    assertThatThrownBy(() -> task("soft-encoding { neighbors = 5 }"))
        .hasMessageContaining("neighbors").hasMessageContaining("neighbours");
  }

  @Test
  void preparesLightnessSoftTargetsAndWeights() {
    ColorizationTask task = task("");
    INDArray images = TestKit.colourSampleImages(4).images();
    Map<String, INDArray> p = task.prepare(images, new Random(1));
    int q = task.binCount();
    assertThat(p.get(ColorizationTask.LIGHTNESS).shape()).containsExactly(4, 1, 28, 28);
    assertThat(p.get(ColorizationTask.TARGET).shape()).containsExactly(4, q, 14, 14);
    assertThat(p.get(ColorizationTask.WEIGHT).shape()).containsExactly(4, 1, 14, 14);
    INDArray perCell = p.get(ColorizationTask.TARGET).sum(1);
    assertThat(perCell.sub(1).amaxNumber().doubleValue()).as("every cell's target sums to 1").isLessThan(1e-5);
    // Lightness is L/100 of the colour: pixel (0, 14, 14) converted by hand.
    float[] lab = new float[3];
    Lab.rgbToLab(images.getFloat(0, 0, 14, 14), images.getFloat(0, 1, 14, 14), images.getFloat(0, 2, 14, 14), lab);
    assertThat(p.get(ColorizationTask.LIGHTNESS).getFloat(0, 0, 14, 14)).isCloseTo(lab[0] / 100, within(1e-6f));
    // Rebalancing: rare (coloured) cells weigh more than the black background's grey.
    INDArray w = p.get(ColorizationTask.WEIGHT);
    assertThat(w.maxNumber().doubleValue()).isGreaterThan(w.getDouble(0, 0, 0, 0));
    Map<String, INDArray> plain = task("rebalance.enabled = false").prepare(images, new Random(1));
    assertThat(plain.get(ColorizationTask.WEIGHT).minNumber().doubleValue()).isEqualTo(1.0);
  }

  @Test
  void theRepresentationIsTheEncoderOnTheLightnessOfRgbAndGrayImages() {
    ColorizationTask task = task("");
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), RGB);
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    INDArray rgb = TestKit.colourSampleImages(6).images();
    INDArray gray = TestKit.sampleImages(6).images();
    // The lightness the encoder trains on (prepare's, by Java loops), and that of each grey value
    // v read as the sRGB colour (v, v, v).
    INDArray rgbLightness = task.prepare(rgb, new Random(1)).get(ColorizationTask.LIGHTNESS);
    INDArray grayLightness = gray.dup();
    float[] lab = new float[3];
    for (int k = 0; k < grayLightness.length(); k++) {
      float v = grayLightness.getFloat(k);
      Lab.rgbToLab(v, v, v, lab);
      grayLightness.putScalar(k, lab[0] / 100);
    }
    for (INDArray[] images : new INDArray[][] {{rgb, rgbLightness}, {gray, grayLightness}}) {
      ImageShape shape = RGB.withChannels((int) images[0].size(1));
      INDArray expected = g.sameDiff().output(Map.of(ColorizationTask.LIGHTNESS, images[1]), tg.representation())
          .get(tg.representation());
      INDArray built = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(2), g.sameDiff(), images[0]);
      assertThat(task.encoderShape(shape)).isEqualTo(RGB.withChannels(1));
      assertThat(built.sub(expected).amaxNumber().doubleValue()).as("%s: of max %s", shape, expected.amaxNumber())
          .isLessThan(1e-5);
    }
  }

  @Test
  void predictingTheTrueColoursScoresZeroErrorAndGreyDoesNot() {
    INDArray images = TestKit.colourSampleImages(6).images();
    INDArray trueAb = Lab.fromRgb(images).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3),
        NDArrayIndex.all(), NDArrayIndex.all()).dup();
    Map<String, Double> m = ColourMetrics.of(images, trueAb);
    assertThat(m).containsOnlyKeys("ab_error", "psnr_db", "grey_ab_error", "grey_psnr_db");
    assertThat(m.get("ab_error")).isZero();
    assertThat(m.get("psnr_db")).isGreaterThan(60);
    assertThat(m.get("grey_ab_error")).isGreaterThan(5);
    assertThat(m.get("grey_psnr_db")).isLessThan(m.get("psnr_db") - 20);
    // Hand check of the error on one pixel image: ab (3, 4) away from the truth is 5 Lab units.
    INDArray red = Nd4j.create(new float[] {1, 0, 0}, new long[] {1, 3, 1, 1}, 'c');
    INDArray redAb = Lab.fromRgb(red).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3),
        NDArrayIndex.all(), NDArrayIndex.all()).add(Nd4j.create(new float[] {3, 4}, new long[] {1, 2, 1, 1}, 'c'));
    assertThat(ColourMetrics.of(red, redAb).get("ab_error")).isCloseTo(5.0, within(1e-3));
  }

  @Test
  void everyDecoderAndEncoderWeightGetsAGradient() {
    ColorizationTask task = task("");
    GraphBuilder g = GraphBuilder.create(2);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(2), RGB);
    SameDiff sd = g.sameDiff();
    sd.setLossVariables(tg.loss());
    List<String> weights = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
    assertThat(weights).contains("decoder/project_w", "decoder/up1_w", "decoder/out_w", "encoder/conv1_w");
    Map<String, INDArray> batch = task.prepare(TestKit.colourSampleImages(8).images(), new Random(1));
    Map<String, INDArray> grads = sd.calculateGradients(batch, weights);
    for (String w : weights) {
      assertThat(grads.get(w).norm2Number().doubleValue()).as("gradient of %s", w).isGreaterThan(0);
    }
    double loss = sd.output(batch, tg.loss()).get(tg.loss()).getDouble(0);
    assertThat(loss).isFinite().isPositive();
  }

  @Test
  void learnsColourAndReportsItsQualityAndPictures() throws Exception {
    ColorizationTask task = task("");
    TestImages data = TestKit.colourSampleImages(1024);
    TrainedTask trained = TestKit.train(task, TestKit.smallEncoder(5), data, 50, 32, 5);
    List<Double> losses = trained.stepLosses();
    assertThat(losses).hasSize(50).allMatch(Double::isFinite);
    double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(40, 50).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).isLessThan(first);

    INDArray heldOut = TestKit.colourSampleImages(1100).images().get(NDArrayIndex.interval(1024, 1100),
        NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    Map<String, Double> m = task.pretextMetrics(TestKit.graphRunner(64), trained.graph(), trained.taskGraph(), heldOut);
    System.out.println("colorization pretext metrics after 50 steps: " + m);
    assertThat(m.values()).allMatch(Double::isFinite);
    // The colourized images are closer to the truth than grey ones: it learned colour. (The ab
    // error is not compared: rebalancing makes it guess colour on the black background, where ab
    // is invisible in RGB but counts in ab units.)
    assertThat(m.get("psnr_db")).isGreaterThan(m.get("grey_psnr_db"));
    assertThat(task.pretextMetrics(TestKit.graphRunner(64), trained.graph(), trained.taskGraph(), TestKit.sampleImages(4).images())).isEmpty();

    List<Path> files = task.writeVisuals(TestKit.graphRunner(64), trained.graph(), trained.taskGraph(),
        heldOut.get(NDArrayIndex.interval(0, 8), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()), dir);
    assertThat(files).containsExactly(dir.resolve("colorization.png"));
    BufferedImage png = ImageIO.read(files.get(0).toFile());
    assertThat(png.getHeight()).isEqualTo(dev.pretext.toolkit.visual.ImageGrid.height(3, 28));
    assertThat(png.getWidth()).isEqualTo(dev.pretext.toolkit.visual.ImageGrid.width(8, 28));
  }
}
