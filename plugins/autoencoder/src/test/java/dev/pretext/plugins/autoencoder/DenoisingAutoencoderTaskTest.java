package dev.pretext.plugins.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import dev.pretext.toolkit.visual.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DenoisingAutoencoderTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "denoising-autoencoder";
  }

  private static final Corruption.Type MASKING = Corruption.Type.MASKING;

  /** 256 sample images, flattened. */
  private static float[] clean() {
    return TestKit.sampleImages(256).images().dup('c').data().asFloat();
  }

  @Test
  void maskingZeroesTheConfiguredFractionOfValues() {
    INDArray images = TestKit.sampleImages(256).images();
    float[] before = images.dup('c').data().asFloat();
    float[] after = new Corruption(MASKING, 0.3).apply(images, new Random(1)).data().asFloat();
    int nonZero = 0;
    int zeroed = 0;
    for (int k = 0; k < before.length; k++) {
      assertThat(after[k]).isIn(before[k], 0f);
      if (before[k] != 0f) {
        nonZero++;
        zeroed += after[k] == 0f ? 1 : 0;
      }
    }
    assertThat((double) zeroed / nonZero).isCloseTo(0.3, within(0.01));
    assertThat(images.dup('c').data().asFloat()).as("input untouched").containsExactly(before);
  }

  @Test
  void saltAndPepperSetsTheConfiguredFractionToZeroOrOne() {
    INDArray gray = Nd4j.valueArrayOf(new long[] {64, 1, 28, 28}, 0.5f, DataType.FLOAT);
    float[] after = new Corruption(Corruption.Type.SALT_AND_PEPPER, 0.2).apply(gray, new Random(2))
        .data().asFloat();
    int salt = 0;
    int pepper = 0;
    for (float v : after) {
      assertThat(v).isIn(0f, 0.5f, 1f);
      salt += v == 1f ? 1 : 0;
      pepper += v == 0f ? 1 : 0;
    }
    assertThat((double) (salt + pepper) / after.length).isCloseTo(0.2, within(0.01));
    assertThat((double) salt / (salt + pepper)).isCloseTo(0.5, within(0.03));
  }

  @Test
  void gaussianNoiseHasTheConfiguredStandardDeviation() {
    float[] before = clean();
    float[] after = new Corruption(Corruption.Type.GAUSSIAN, 0.25)
        .apply(TestKit.sampleImages(256).images(), new Random(3)).data().asFloat();
    double sum = 0;
    double squares = 0;
    for (int k = 0; k < before.length; k++) {
      double d = after[k] - before[k];
      sum += d;
      squares += d * d;
    }
    double mean = sum / before.length;
    assertThat(mean).isCloseTo(0, within(0.005));
    assertThat(Math.sqrt(squares / before.length - mean * mean)).isCloseTo(0.25, within(0.005));
  }

  @Test
  void corruptionIsSeededAndNoneLeavesImagesAlone() {
    INDArray images = TestKit.sampleImages(16).images();
    for (Corruption.Type type : Corruption.Type.values()) {
      Corruption c = new Corruption(type, 0.3);
      assertThat(c.apply(images, new Random(9)).equals(c.apply(images, new Random(9)))).as(type.key).isTrue();
      assertThat(c.apply(images, new Random(9)).equals(c.apply(images, new Random(10))))
          .as(type.key).isEqualTo(type == Corruption.Type.NONE);
    }
    assertThat(new Corruption(Corruption.Type.NONE, 0).apply(images, new Random(1)).equals(images)).isTrue();
  }

  @Test
  void prepareFeedsCorruptedAndCleanImages() {
    PretextTask task = TestKit.task(taskType(), "corruption { type = masking, level = 0.5 }", 1);
    INDArray images = TestKit.sampleImages(8).images();
    Map<String, INDArray> batch = task.prepare(images, new Random(1));
    assertThat(batch.get(DenoisingAutoencoderTask.CLEAN).equals(images)).isTrue();
    assertThat(batch.get(DenoisingAutoencoderTask.NOISY).equals(images)).isFalse();
  }

  @Test
  void badSettingsAreRejectedWithTheirKey() {
    assertThatThrownBy(() -> TestKit.task(taskType(), "corruption.type = blur", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("corruption.type").hasMessageContaining("salt-and-pepper");
    assertThatThrownBy(() -> TestKit.task(taskType(), "corruption.levl = 0.1", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'levl'");
    assertThatThrownBy(() -> TestKit.task(taskType(), "corruption.level = 1.5", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("corruption.level");
    assertThatThrownBy(() -> TestKit.task(taskType(), "decoder.channels = [64, 32, 16, 8]", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("divisible by 8");
    assertThatThrownBy(() -> TestKit.task(taskType(), "loss.type = cross-entropy", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reconstruction loss");
  }

  @Test
  void theLossIsHandedTheLogitsOrTheReconstructionAsItDeclares() {
    INDArray images = TestKit.sampleImages(16).images();
    for (String lossType : List.of("mse", "binary-cross-entropy")) {
      PretextTask task = TestKit.task(taskType(), "loss.type = " + lossType, 1);
      GraphBuilder g = GraphBuilder.create(1);
      PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
      Map<String, INDArray> prepared = task.prepare(images, new Random(1));
      Map<String, INDArray> out = g.sameDiff().output(prepared, tg.loss(), DenoisingAutoencoderTask.RECONSTRUCTION);
      double[] r = out.get(DenoisingAutoencoderTask.RECONSTRUCTION).dup('c').data().asDouble();
      double[] t = prepared.get(DenoisingAutoencoderTask.CLEAN).dup('c').data().asDouble();
      double[] w = new double[r.length]; java.util.Arrays.fill(w, 1);
      double sum = 0;
      double weights = 0;
      for (int k = 0; k < r.length; k++) {
        // mse takes the reconstruction r = sigmoid(logits); binary cross-entropy the logits, so
        // its value is the cross-entropy of r.
        double perElement = lossType.equals("mse") ? (r[k] - t[k]) * (r[k] - t[k])
            : -(t[k] * Math.log(r[k]) + (1 - t[k]) * Math.log(1 - r[k]));
        sum += w[k] * perElement;
        weights += w[k];
      }
      assertThat(out.get(tg.loss()).getDouble(0)).as(lossType).isCloseTo(sum / weights, within(1e-4 * sum / weights));
    }
  }

  @Test
  void aLossTakingWhatTheTaskCannotGiveIsAConfigurationError() {
    assertThatThrownBy(() -> TestKit.task(taskType(), "loss.type = negative-cosine", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.loss.type")
        .hasMessageContaining("the loss 'negative-cosine' takes embeddings as 'prediction' but denoising-autoencoder gives it as"
            + " logits or probabilities; use a reconstruction loss such as mse or binary-cross-entropy");
  }

  @Test
  void everyDecoderVariableGetsAGradient() {
    for (String loss : List.of("mse", "binary-cross-entropy")) {
      PretextTask task = TestKit.task(taskType(), "loss.type = " + loss, 1);
      GraphBuilder g = GraphBuilder.create(1);
      PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
      SameDiff sd = g.sameDiff();
      sd.setLossVariables(tg.loss());
      List<String> decoder = sd.variables().stream()
          .filter(v -> v.getVariableType() == VariableType.VARIABLE)
          .map(SDVariable::name).filter(n -> n.startsWith("decoder/")).toList();
      assertThat(decoder).contains("decoder/up1_w", "decoder/up2_w", "decoder/out_w", "decoder/code_w");
      Map<String, INDArray> grads = sd.calculateGradients(
          task.prepare(TestKit.sampleImages(16).images(), new Random(1)), decoder);
      for (String name : decoder) {
        assertThat(grads.get(name).norm2Number().doubleValue()).as(loss + " " + name).isPositive();
      }
    }
  }

  @Test
  void reconstructionHasTheImageShapeAndTheRepresentationSeesCleanImages() {
    PretextTask task = TestKit.task(taskType(), "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    INDArray images = TestKit.sampleImages(4).images();
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    Map<String, INDArray> out = g.sameDiff().output(Map.of(DenoisingAutoencoderTask.NOISY, images),
        DenoisingAutoencoderTask.RECONSTRUCTION, tg.representation());
    assertThat(out.get(DenoisingAutoencoderTask.RECONSTRUCTION).shape()).containsExactly(4, 1, 28, 28);
    assertThat(tg.representationSize()).isEqualTo(32);
    INDArray evaluated = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(2), g.sameDiff(), images);
    assertThat(evaluated.sub(out.get(tg.representation())).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void writeVisualsDrawsInputCorruptedAndReconstructionRows(@TempDir Path folder) throws Exception {
    PretextTask task = TestKit.task(taskType(), "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    List<Path> files = task.writeVisuals(TestKit.graphRunner(32), g.sameDiff(), tg, TestKit.sampleImages(5).images(),
        folder.resolve("v"));
    assertThat(files).singleElement().satisfies(f -> assertThat(Files.exists(f)).isTrue());
    BufferedImage png = ImageIO.read(files.get(0).toFile());
    assertThat(png.getWidth()).isEqualTo(ImageGrid.width(5, 28)).isEqualTo(2 + 5 * (28 * 3 + 2));
    assertThat(png.getHeight()).isEqualTo(ImageGrid.height(3, 28)).isEqualTo(2 + 3 * (28 * 3 + 2));
  }

  @Test
  void heldOutReconstructionErrorFallsWithTrainingAndBeatsTheMeanImage() {
    TestKit.MetricsBeforeAfter m = TestKit.pretextMetricsBeforeAndAfter(taskType(),
        "corruption { type = masking, level = 0.3 }", 60);
    assertThat(m.trained()).containsOnlyKeys("mse", "psnr_db", "mse_corrupted_input", "mse_mean_image");
    assertThat(m.trained().get("mse")).isLessThan(m.untrained().get("mse"))
        .isLessThan(m.trained().get("mse_mean_image"));
    assertThat(m.trained().get("psnr_db"))
        .isCloseTo(10 * Math.log10(1 / m.trained().get("mse")), within(1e-9));
    // The trivial predictors do not depend on training.
    assertThat(m.trained().get("mse_corrupted_input")).isEqualTo(m.untrained().get("mse_corrupted_input"))
        .isPositive();
    assertThat(TestKit.pretextMetricsBeforeAndAfter(taskType(), "corruption.type = none", 1).untrained())
        .doesNotContainKey("mse_corrupted_input");
  }
}
