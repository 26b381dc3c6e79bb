package dev.pretext.plugins.simclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import dev.pretext.toolkit.TwoViews;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SimClrTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "simclr";
  }

  @Override
  protected String taskSettings() {
    return "projection { hidden = 64, output = 32 }";
  }

  @Override
  protected int batchSize() {
    return 32;
  }

  @Test
  void prepareStacksTwoViewsOfEachImage() {
    PretextTask task = TestKit.task("simclr", "", 1);
    Map<String, INDArray> batch = task.prepare(TestKit.sampleImages(5).images(), new Random(1));
    assertThat(batch.keySet()).containsExactly(SimClrTask.VIEWS);
    assertThat(batch.get(SimClrTask.VIEWS).shape()).containsExactly(10, 1, 28, 28);
  }

  @Test
  void theTwoViewsDifferButComeFromTheSameImages() {
    // Flip and light noise only, so that each view can be matched to its source image.
    PretextTask task = TestKit.task("simclr",
        "augmentations = [{type = horizontal-flip}, {type = gaussian-noise, std = 0.05}]", 1);
    int n = 8;
    INDArray images = TestKit.sampleImages(n).images();
    INDArray views = task.prepare(images, new Random(3)).get(SimClrTask.VIEWS);
    for (int i = 0; i < n; i++) {
      INDArray image = images.get(point(i));
      INDArray first = views.get(point(i));
      INDArray second = views.get(point(n + i));
      assertThat(first.equals(second)).as("views of image %d", i).isFalse();
      for (INDArray view : new INDArray[] {first, second}) {
        double direct = meanAbs(view.sub(image));
        double flipped = meanAbs(view.sub(flipLeftRight(image)));
        assertThat(Math.min(direct, flipped)).as("view of image %d vs its source", i).isLessThan(0.05);
        for (int j = 0; j < n; j++) {
          if (j != i) {
            INDArray other = images.get(point(j));
            assertThat(Math.min(meanAbs(view.sub(other)), meanAbs(view.sub(flipLeftRight(other)))))
                .as("view of image %d vs image %d", i, j).isGreaterThan(Math.min(direct, flipped));
          }
        }
      }
    }
    INDArray again = task.prepare(images, new Random(3)).get(SimClrTask.VIEWS);
    assertThat(again.equals(views)).as("same seed, same views").isTrue();
    INDArray other = task.prepare(images, new Random(4)).get(SimClrTask.VIEWS);
    assertThat(other.equals(views)).as("another seed, other views").isFalse();
  }

  @Test
  void splittingTheViewsPassesGradientsToTheRightRows() {
    SameDiff sd = SameDiff.create();
    INDArray zValue = Nd4j.rand(DataType.FLOAT, 6, 4);
    SDVariable z = sd.var("z", zValue);
    SDVariable[] qk = TwoViews.split(z, 4);
    INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4);
    INDArray b = Nd4j.rand(DataType.FLOAT, 3, 4);
    SDVariable loss = qk[0].mul(sd.constant(a)).sum().add(qk[1].mul(sd.constant(b)).sum());
    sd.setLossVariables(loss);
    assertThat(qk[0].eval().equals(zValue.get(interval(0, 3)))).isTrue();
    assertThat(qk[1].eval().equals(zValue.get(interval(3, 6)))).isTrue();
    INDArray grad = sd.calculateGradients(Map.of(), "z").get("z");
    assertThat(grad.equalsWithEps(Nd4j.concat(0, a, b), 1e-6)).isTrue();
  }

  @Test
  void theRepresentationIsTheEncoderOutputOnPlainImages() {
    PretextTask task = TestKit.task("simclr", taskSettings(), 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    assertThat(tg.representationSize()).isEqualTo(32);
    // An odd number of images: the representation needs no pairing of views.
    INDArray images = TestKit.sampleImages(7).images();
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    INDArray h = g.sameDiff().output(Map.of(SimClrTask.VIEWS, images), tg.representation()).get(tg.representation());
    INDArray evaluated = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(2), g.sameDiff(), images);
    assertThat(evaluated.shape()).containsExactly(7, 32);
    assertThat(evaluated.sub(h).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void badSettingsNameTheirPlace() {
    assertThatThrownBy(() -> TestKit.task("simclr", "augmentations = []", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.augmentations").hasMessageContaining("at least one");
    assertThatThrownBy(() -> TestKit.task("simclr",
        "augmentations = [{type = horizontal-flip}, {type = gaussian-noise, sdt = 0.1}]", 1))
        .isInstanceOf(SuiteConfigException.class)
        .hasMessageContaining("test.task.augmentations[1]").hasMessageContaining("did you mean 'std'");
    assertThatThrownBy(() -> TestKit.task("simclr", "augmentations = [{type = horizontal-flip, probability = 2}]", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.augmentations[0].probability");
    assertThatThrownBy(() -> TestKit.task("simclr", "augmentations = [{type = horizontal-flop}]", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("horizontal-flip");
    assertThatThrownBy(() -> TestKit.task("simclr", "projection.output = 0", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.projection.output");
    assertThatThrownBy(() -> TestKit.task("simclr", "loss { type = cross-entropy }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("nt-xent or info-nce");
    assertThatThrownBy(() -> TestKit.task("simclr", "loss { type = nt-xent, temperature = 0 }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.loss.temperature");
  }

  @Test
  void aQueueSamplerIsRefusedAtValidationForWantOfAKeyEncoder() {
    // Before samplers declared their needs, this failed at the first step's afterStep.
    assertThatThrownBy(() -> TestKit.task("simclr", "sampler { type = queue }", 1))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("test.task.sampler.type")
        .hasMessageContaining("the sampler 'queue' needs each step's keys from a key encoder, handed to afterStep"
            + " (step_keys), which simclr does not provide (it provides queries and keys as [N, D] pairs (pairs));"
            + " use in-batch");
  }

  private static double meanAbs(INDArray x) {
    return x.norm1Number().doubleValue() / x.length();
  }

  /** Image {@code [C, H, W]} mirrored left-right. */
  private static INDArray flipLeftRight(INDArray image) {
    INDArray out = image.dup();
    long w = image.size(2);
    for (long x = 0; x < w; x++) {
      out.get(all(), all(), point(x)).assign(image.get(all(), all(), point(w - 1 - x)));
    }
    return out;
  }
}
