package dev.pretext.plugins.cpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CpcTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "cpc";
  }

  @Override
  protected String taskSettings() {
    return "context.channels = 16";
  }

  @Override
  protected int steps() {
    return 30;
  }

  @Override
  protected int batchSize() {
    return 16;
  }

  @Test
  void theDefaultGridOnFashionMnistIsFourByFour() {
    CpcTask task = (CpcTask) TestKit.task("cpc", "", 1);
    assertThat(task.grid()).isEqualTo(new PatchGrid(10, 6, 4, 4));
    INDArray patches = task.prepare(TestKit.sampleImages(3).images(), new Random(1)).get(CpcTask.PATCHES);
    assertThat(patches.shape()).containsExactly(3 * 16, 1, 10, 10);
  }

  @Test
  void eachPatchIsTheRightCropOfItsImage() {
    // Two images of 2 channels, 7x9, every pixel distinct; patch 3, stride 2 → 3 rows x 4 columns.
    int n = 2;
    INDArray images = Nd4j.arange(n * 2 * 7 * 9).castTo(DataType.FLOAT).reshape(n, 2, 7, 9);
    PatchGrid grid = PatchGrid.of(new ImageShape(2, 7, 9), 3, 2);
    assertThat(grid.rows()).isEqualTo(3);
    assertThat(grid.columns()).isEqualTo(4);
    INDArray patches = grid.cut(images);
    assertThat(patches.shape()).containsExactly(n * 12, 2, 3, 3);
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          INDArray expected = images.get(point(i), all(), interval(2 * r, 2 * r + 3), interval(2 * c, 2 * c + 3));
          INDArray actual = patches.get(point(i * 12 + r * 4 + c));
          assertThat(actual.equals(expected)).as("image %d patch (%d, %d)", i, r, c).isTrue();
        }
      }
    }
  }

  @Test
  void theContextAtARowNeverSeesTheRowsBelow() {
    CpcTask task = (CpcTask) TestKit.task("cpc", taskSettings(), 1);
    GraphBuilder g = GraphBuilder.create(1);
    task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
    // Inference mode: with batch statistics every patch would shift every other patch's embedding.
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(DataType.FLOAT, 0f));
    INDArray patches = task.prepare(TestKit.sampleImages(4).images(), new Random(1)).get(CpcTask.PATCHES);
    int rows = task.grid().rows();
    int cols = task.grid().columns();
    INDArray base = context(g, patches);
    assertThat(base.shape()).containsExactly(4, 16, rows, cols);
    for (int changed = 1; changed < rows; changed++) {
      INDArray altered = patches.dup();
      for (int i = 0; i < 4; i++) {
        for (int c = 0; c < cols; c++) {
          altered.get(point((long) i * rows * cols + (long) changed * cols + c)).assign(Nd4j.rand(DataType.FLOAT, 1, 10, 10));
        }
      }
      INDArray out = context(g, altered);
      assertThat(out.get(all(), all(), interval(0, changed), all())
          .equalsWithEps(base.get(all(), all(), interval(0, changed), all()), 1e-6))
          .as("rows above %d unchanged", changed).isTrue();
      assertThat(out.get(all(), all(), point(changed), all())
          .equalsWithEps(base.get(all(), all(), point(changed), all()), 1e-6))
          .as("row %d itself changes", changed).isFalse();
    }
  }

  private static INDArray context(GraphBuilder g, INDArray patches) {
    return g.sameDiff().output(Map.of(CpcTask.PATCHES, patches), CpcTask.CONTEXT).get(CpcTask.CONTEXT);
  }

  @Test
  void theRepresentationAveragesTheEncodedPatchGridOfAKnownImage() {
    CpcTask task = (CpcTask) TestKit.task("cpc", taskSettings(), 1);
    ImageShape shape = TestKit.sample().train().shape();
    // An "encoder" that returns each patch's pixels: the representation is then the mean patch.
    EncoderModule pixels = new EncoderModule() {
      @Override
      public EncoderOutput apply(SDVariable images, ImageShape patch, String application) {
        return new EncoderOutput(images.reshape(-1, patch.size()), List.of());
      }

      @Override
      public long representationSize() {
        return 100;
      }
    };
    GraphBuilder g = GraphBuilder.create(1);
    SDVariable images = g.placeholder("images", shape.batchShape());
    Encoder.Representation rep = task.representation(g, pixels, images, shape);
    INDArray known = Nd4j.arange(2 * 28 * 28).castTo(DataType.FLOAT).reshape(2, 1, 28, 28);

    INDArray pooled = g.sameDiff().output(Map.of("images", known), rep.variable().name()).get(rep.variable().name());

    assertThat(task.encoderShape(shape)).isEqualTo(new ImageShape(1, 10, 10));
    assertThat(rep.size()).isEqualTo(100);
    for (int i = 0; i < 2; i++) {
      INDArray sum = Nd4j.zeros(DataType.FLOAT, 10, 10);
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) {
          sum.addi(known.get(point(i), point(0), interval(6 * r, 6 * r + 10), interval(6 * c, 6 * c + 10)));
        }
      }
      assertThat(pooled.getRow(i).equalsWithEps(sum.div(16).reshape(100), 1e-3)).as("image %d", i).isTrue();
    }
  }

  @Test
  void theRepresentationOfImagesIsThePooledEmbeddingOfTheirCutPatches() {
    CpcTask task = (CpcTask) TestKit.task("cpc", taskSettings(), 1);
    ImageShape shape = TestKit.sample().train().shape();
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = task.build(g, TestKit.smallEncoder(1), shape);
    g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    assertThat(tg.representationSize()).isEqualTo(32);
    for (int n : new int[] {1, 7}) {
      INDArray batch = TestKit.sampleImages(n).images();
      // What training computes from the patches PatchGrid cuts (its crops tested above).
      INDArray expected = g.sameDiff().output(Map.of(CpcTask.PATCHES, task.grid().cut(batch)), tg.representation())
          .get(tg.representation());
      INDArray built = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(2), g.sameDiff(), batch);
      assertThat(built.shape()).containsExactly(n, 32);
      assertThat(built.sub(expected).amaxNumber().doubleValue()).as("of max %s", expected.amaxNumber())
          .isLessThan(1e-5);
    }
  }

  @Test
  void badSettingsNameTheirPlace() {
    assertThatThrownBy(() -> TestKit.task("cpc", "patch = 29", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.patch");
    assertThatThrownBy(() -> TestKit.task("cpc", "prediction-steps = 4", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.prediction-steps")
        .hasMessageContaining("4 rows");
    assertThatThrownBy(() -> TestKit.task("cpc", "context.width = 2", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.context.width");
    assertThatThrownBy(() -> TestKit.task("cpc", "loss { type = cross-entropy }", 1))
        .isInstanceOf(RuntimeException.class).hasMessageContaining("test.task.loss");
    assertThatThrownBy(() -> TestKit.task("cpc", "loss { type = info-nce, temperature = 0.01 }", 1))
        .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("test.task.loss.temperature");
  }
}
