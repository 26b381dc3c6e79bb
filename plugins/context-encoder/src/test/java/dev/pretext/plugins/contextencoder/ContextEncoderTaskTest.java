package dev.pretext.plugins.contextencoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ContextEncoderTaskTest extends PretextTaskConformance {

  private static final int SIDE = 28;

  @Override
  protected String taskType() {
    return "context-encoder";
  }

  private static MaskSettings settings(MaskSettings.Mode mode) {
    return new MaskSettings(mode, 0.5, 2, 10);
  }

  private static int area(float[] mask) {
    int n = 0;
    for (float v : mask) {
      n += v > 0 ? 1 : 0;
    }
    return n;
  }

  /** {top, left, bottom, right} of the hidden pixels, inclusive. */
  private static int[] bounds(float[] mask) {
    int[] b = {SIDE, SIDE, -1, -1};
    for (int k = 0; k < mask.length; k++) {
      if (mask[k] > 0) {
        b[0] = Math.min(b[0], k / SIDE);
        b[1] = Math.min(b[1], k % SIDE);
        b[2] = Math.max(b[2], k / SIDE);
        b[3] = Math.max(b[3], k % SIDE);
      }
    }
    return b;
  }

  @Test
  void centralBlockHidesExactlyRowsAndColumns7To20() {
    float[] mask = Masks.draw(settings(MaskSettings.Mode.CENTRAL_BLOCK), SIDE, SIDE, new Random(1));
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        boolean inside = y >= 7 && y <= 20 && x >= 7 && x <= 20;
        assertThat(mask[y * SIDE + x]).as("(%d, %d)", y, x).isEqualTo(inside ? 1f : 0f);
      }
    }
  }

  @Test
  void randomBlocksAreSquaresOfTheConfiguredSideInsideTheImage() {
    Random random = new Random(2);
    Set<Integer> corners = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      float[] mask = Masks.draw(settings(MaskSettings.Mode.RANDOM_BLOCK), SIDE, SIDE, random);
      int[] b = bounds(mask);
      assertThat(area(mask)).isEqualTo(14 * 14);
      assertThat(b[2] - b[0] + 1).isEqualTo(14);
      assertThat(b[3] - b[1] + 1).isEqualTo(14);
      assertThat(b[0]).isBetween(0, SIDE - 14);
      assertThat(b[1]).isBetween(0, SIDE - 14);
      corners.add(b[0] * SIDE + b[1]);
    }
    assertThat(corners.size()).as("distinct positions").isGreaterThan(100);
  }

  @Test
  void randomRegionsCoverTheBlocksAreaInIrregularShapes() {
    Random random = new Random(3);
    Set<String> shapes = new HashSet<>();
    int rectangles = 0;
    for (int i = 0; i < 100; i++) {
      float[] mask = Masks.draw(settings(MaskSettings.Mode.RANDOM_REGION), SIDE, SIDE, random);
      assertThat((double) area(mask) / (SIDE * SIDE)).isEqualTo(0.25);
      int[] b = bounds(mask);
      rectangles += (b[2] - b[0] + 1) * (b[3] - b[1] + 1) == area(mask) ? 1 : 0;
      shapes.add(java.util.Arrays.toString(mask));
    }
    assertThat(shapes).hasSize(100);
    assertThat(rectangles).isLessThan(5);
  }

  @Test
  void theOverlapBandSurroundsTheHoleAndIsWeighted() {
    float[] mask = Masks.draw(settings(MaskSettings.Mode.CENTRAL_BLOCK), SIDE, SIDE, new Random(1));
    float[] band = Masks.band(mask, SIDE, SIDE, 2);
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        boolean ring = y >= 5 && y <= 22 && x >= 5 && x <= 22 && mask[y * SIDE + x] == 0;
        assertThat(band[y * SIDE + x]).as("(%d, %d)", y, x).isEqualTo(ring ? 1f : 0f);
      }
    }
    assertThat(area(band)).isEqualTo(18 * 18 - 14 * 14);
  }

  @Test
  void prepareFillsTheHoleAndWeighsHoleAndBand() {
    PretextTask task = TestKit.task(taskType(), "mask.mode = central-block, fill-value = 0.25", 1);
    INDArray images = TestKit.sampleImages(4).images();
    Map<String, INDArray> batch = task.prepare(images, new Random(1));
    assertThat(batch.get(ContextEncoderTask.TARGET).equals(images)).isTrue();
    float[] in = images.dup('c').data().asFloat();
    float[] masked = batch.get(ContextEncoderTask.MASKED).dup('c').data().asFloat();
    float[] weight = batch.get(ContextEncoderTask.WEIGHT).dup('c').data().asFloat();
    for (int i = 0; i < 4; i++) {
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          int k = i * SIDE * SIDE + y * SIDE + x;
          boolean hole = y >= 7 && y <= 20 && x >= 7 && x <= 20;
          boolean band = !hole && y >= 5 && y <= 22 && x >= 5 && x <= 22;
          assertThat(masked[k]).isEqualTo(hole ? 0.25f : in[k]);
          assertThat(weight[k]).isEqualTo(hole ? 1f : band ? 10f : 0f);
        }
      }
    }
  }

  @Test
  void badSettingsAreRejectedWithTheirKey() {
    assertThatThrownBy(() -> TestKit.task(taskType(), "mask.mode = corner", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mask.mode").hasMessageContaining("random-region");
    assertThatThrownBy(() -> TestKit.task(taskType(), "mask.size = 1.0", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mask.size");
    assertThatThrownBy(() -> TestKit.task(taskType(), "mask.overlap-weight = -1", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mask.overlap-weight");
    assertThatThrownBy(() -> TestKit.task(taskType(), "fill-value = 2", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fill-value");
    assertThatThrownBy(() -> TestKit.task(taskType(), "mask.sise = 0.3", 1))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("did you mean 'size'");
  }

  @Test
  void theLossIsHandedTheLogitsOrTheReconstructionAsItDeclares() {
    INDArray images = TestKit.sampleImages(16).images();
    for (String lossType : List.of("mse", "binary-cross-entropy")) {
      PretextTask task = TestKit.task(taskType(), "loss.type = " + lossType, 1);
      GraphBuilder g = GraphBuilder.create(1);
      PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
      Map<String, INDArray> prepared = task.prepare(images, new Random(1));
      Map<String, INDArray> out = g.sameDiff().output(prepared, tg.loss(), ContextEncoderTask.RECONSTRUCTION);
      double[] r = out.get(ContextEncoderTask.RECONSTRUCTION).dup('c').data().asDouble();
      double[] t = prepared.get(ContextEncoderTask.TARGET).dup('c').data().asDouble();
      double[] w = prepared.get(ContextEncoderTask.WEIGHT).dup('c').data().asDouble();
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
        .hasMessageContaining("the loss 'negative-cosine' takes embeddings as 'prediction' but context-encoder gives it as"
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
      assertThat(decoder).contains("decoder/project_w", "decoder/up1_w", "decoder/up2_w", "decoder/out_w");
      Map<String, INDArray> grads = sd.calculateGradients(
          task.prepare(TestKit.sampleImages(16).images(), new Random(1)), decoder);
      for (String name : decoder) {
        assertThat(grads.get(name).norm2Number().doubleValue()).as(loss + " " + name).isPositive();
      }
    }
  }

  @Test
  void theRepresentationSeesWholeImages() {
    PretextTask task = TestKit.task(taskType(), "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    INDArray images = TestKit.sampleImages(4).images();
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    INDArray unmasked = g.sameDiff().output(Map.of(ContextEncoderTask.MASKED, images), tg.representation())
        .get(tg.representation());
    INDArray evaluated = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(2), g.sameDiff(), images);
    assertThat(evaluated.shape()).containsExactly(4, tg.representationSize());
    assertThat(evaluated.sub(unmasked).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void writeVisualsDrawsInputMaskedAndInpaintedRows(@TempDir Path folder) throws Exception {
    PretextTask task = TestKit.task(taskType(), "", 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    List<Path> files = task.writeVisuals(TestKit.graphRunner(32), g.sameDiff(), tg, TestKit.sampleImages(6).images(),
        folder.resolve("v"));
    assertThat(files).singleElement().satisfies(f -> assertThat(f.getFileName().toString()).isEqualTo("inpainting.png"));
    BufferedImage png = ImageIO.read(files.get(0).toFile());
    assertThat(png.getWidth()).isEqualTo(2 + 6 * (SIDE * 3 + 2));
    assertThat(png.getHeight()).isEqualTo(2 + 3 * (SIDE * 3 + 2));
  }

  @Test
  void heldOutHoleErrorFallsWithTrainingAndBeatsTheConstantFill() {
    TestKit.MetricsBeforeAfter m = TestKit.pretextMetricsBeforeAndAfter(taskType(), "", 60);
    assertThat(m.trained()).containsOnlyKeys("hole_mse", "hole_psnr_db", "hole_mse_fill_value",
        "hole_mse_visible_mean");
    assertThat(m.trained().get("hole_mse")).isLessThan(m.untrained().get("hole_mse"))
        .isLessThan(m.trained().get("hole_mse_fill_value"));
    assertThat(m.trained().get("hole_mse_visible_mean")).isEqualTo(m.untrained().get("hole_mse_visible_mean"))
        .isPositive();
  }
}
