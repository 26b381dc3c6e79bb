package dev.pretext.plugins.jigsaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import dev.pretext.testkit.TrainedTask;
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
import org.nd4j.linalg.api.ndarray.INDArray;

class JigsawTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "jigsaw";
  }

  private static JigsawTask task(String hocon) {
    return (JigsawTask) TestKit.task("jigsaw", hocon, 1);
  }

  private static PretextTask.TaskGraph build(PretextTask task, GraphBuilder g) {
    return task.build(g, TestKit.smallEncoder(1), TestKit.sample().train().shape());
  }

  @Test
  void prepareCutsShuffledTilesLabelledByTheirPermutation() {
    JigsawTask task = task("jitter = 0");
    INDArray images = TestKit.sampleImages(5).images();
    Map<String, INDArray> batch = task.prepare(images, new Random(4));
    INDArray tiles = batch.get(JigsawTask.TILES);
    INDArray labels = batch.get(JigsawTask.PERMUTATION);
    assertThat(tiles.shape()).containsExactly(45, 1, 9, 9);
    assertThat(labels.shape()).containsExactly(5, 100);
    assertThat(labels.sum(1).toFloatVector()).containsOnly(1f);
    assertThat(batch.get(JigsawTask.IMAGES)).isSameAs(images);
    // Undoing each image's labelled permutation gives its 27x27 crop back, pixel for pixel.
    int[] chosen = labels.argMax(1).toIntVector();
    int[][] perms = new int[5][];
    for (int i = 0; i < 5; i++) {
      perms[i] = task.permutations().get(chosen[i]);
    }
    TileGrid grid = task.grid();
    float[] assembled = grid.assemble(grid.reassemble(tiles.dup('c').data().asFloat(), perms), 5, 0, 0f);
    float[] in = images.dup('c').data().asFloat();
    for (int i = 0; i < 5; i++) {
      for (int y = 0; y < 27; y++) {
        for (int x = 0; x < 27; x++) {
          assertThat(assembled[(i * 27 + y) * 27 + x]).isEqualTo(in[(i * 28 + y) * 28 + x]);
        }
      }
    }
  }

  @Test
  void thePermutationSetFollowsTheSettingsAndTheSeed() {
    JigsawTask task = task("grid = 2, permutations = 24");
    assertThat(task.permutations().size()).isEqualTo(24);
    assertThat(task.permutations().tiles()).isEqualTo(4);
    assertThat(task("").permutations().samePermutations(task("").permutations())).isTrue();
    JigsawTask otherSeed = (JigsawTask) TestKit.task("jigsaw", "", 2);
    assertThat(otherSeed.permutations().samePermutations(task("").permutations())).isFalse();
  }

  @Test
  void badSettingsAreRejectedWithTheirKey() {
    assertThatThrownBy(() -> task("grid = 2, permutations = 25"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("permutations")
        .hasMessageContaining("4! = 24");
    assertThatThrownBy(() -> task("permutations = 1"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("permutations");
    assertThatThrownBy(() -> task("grid = 4"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.grid")
        .hasMessageContaining("7x7").hasMessageContaining("at most 3");
    assertThatThrownBy(() -> task("jitter = 2"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.jitter")
        .hasMessageContaining("at most 1");
    assertThatThrownBy(() -> task("head-hidden = -1"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("head-hidden");
    assertThatThrownBy(() -> task("loss.type = mse"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("loss.type");
    assertThatThrownBy(() -> task("permutatons = 10"))
        .isInstanceOf(SuiteConfigException.class).hasMessageContaining("did you mean 'permutations'");
  }

  @Test
  void tilesAndWholeImagesShareTheEncoderWeights() {
    JigsawTask task = task("");
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = build(task, g);
    SameDiff sd = g.sameDiff();
    List<String> weights = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
    assertThat(weights).contains("encoder/conv1_w", "encoder/bn1_gamma", "jigsaw_head/logits_w")
        .filteredOn(n -> n.contains("conv1_w")).containsExactly("encoder/conv1_w");
    // The tiles keep batch statistics of their own.
    assertThat(sd.hasVariable("encoder/bn1_running_mean")).isTrue();
    assertThat(sd.hasVariable("encoder/bn1_" + JigsawTask.TILE_APPLICATION + "_running_mean")).isTrue();

    // The jigsaw loss trains the evaluated encoder's weights...
    sd.setLossVariables(tg.loss());
    Map<String, INDArray> grads = sd.calculateGradients(
        task.prepare(TestKit.sampleImages(16).images(), new Random(1)), "encoder/conv1_w", "encoder/bn3_beta");
    assertThat(grads.get("encoder/conv1_w").norm2Number().doubleValue()).isPositive();
    assertThat(grads.get("encoder/bn3_beta").norm2Number().doubleValue()).isPositive();

    // ...and the evaluated representation is that encoder on whole images, with their statistics.
    assertThat(tg.representation()).startsWith(GraphBuilder.ENCODER_SCOPE + "/");
    INDArray images = TestKit.sampleImages(4).images();
    sd.getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    INDArray h = sd.output(Map.of(JigsawTask.IMAGES, images), tg.representation()).get(tg.representation());
    INDArray fromImages = TestKit.evaluatedRepresentation(task, TestKit.smallEncoder(3), sd, images);
    assertThat(fromImages.shape()).containsExactly(4, tg.representationSize());
    assertThat(fromImages.sub(h).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void anEncoderWhoseWeightsDependOnTheInputSizeIsRejected() {
    JigsawTask task = task("");
    GraphBuilder g = GraphBuilder.create(1);
    assertThatThrownBy(() -> task.build(g, TestKit.encoder("mlp", "hidden = [16]", 1),
        TestKit.sample().train().shape()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1x28x28 images and to 1x8x8 tiles")
        .hasMessageContaining("takes 784 values per image").hasMessageContaining("1x8x8 images (64 values)")
        .hasMessageContaining("conv4");
  }

  @Test
  void aTwoByTwoPuzzleTrainsAndSolvesHeldOutPuzzlesAboveChance() {
    JigsawTask task = task("grid = 2, permutations = 24");
    TrainedTask trained = TestKit.train(task, TestKit.smallEncoder(2), TestKit.sampleImages(1024), 30, 64, 2);
    List<Double> losses = trained.stepLosses();
    assertThat(losses).hasSize(30).allMatch(Double::isFinite);
    double first = losses.subList(0, 6).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(24, 30).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).isLessThan(first);

    // 257 images: the last batch of the metric pass would hold one image alone if not merged.
    INDArray heldOut = TestKit.sample().test().batch(java.util.stream.IntStream.range(0, 257).toArray());
    Map<String, Double> metrics = task.pretextMetrics(TestKit.graphRunner(32), trained.graph(), trained.taskGraph(), heldOut);
    assertThat(metrics).containsOnlyKeys("puzzle_top1", "puzzle_top5", "permutations_min_hamming");
    assertThat(metrics.get("puzzle_top1")).isGreaterThan(3.0 / 24);
    assertThat(metrics.get("puzzle_top5")).isGreaterThanOrEqualTo(metrics.get("puzzle_top1"));
    assertThat(metrics.get("permutations_min_hamming")).isEqualTo(2.0);
  }

  @Test
  void stateAndVisualsRecordThePermutationSet(@TempDir Path dir) throws Exception {
    JigsawTask task = task("permutations = 30");
    task.saveState(dir.resolve("checkpoint"));
    PermutationSet saved = PermutationSet.read(dir.resolve("checkpoint").resolve(JigsawTask.PERMUTATIONS_FILE));
    assertThat(saved.samePermutations(task.permutations())).isTrue();
    assertThat(Files.readString(dir.resolve("checkpoint").resolve(JigsawTask.PERMUTATIONS_FILE)))
        .contains("\"minimum_hamming_distance\": " + task.permutations().minimumDistance());

    // A resumed task takes the checkpoint's set, whatever its own seed would choose.
    JigsawTask resumed = (JigsawTask) TestKit.task("jigsaw", "permutations = 30", 9);
    resumed.loadState(dir.resolve("checkpoint"));
    assertThat(resumed.permutations().samePermutations(task.permutations())).isTrue();
    assertThatThrownBy(() -> task("permutations = 31").loadState(dir.resolve("checkpoint")))
        .hasMessageContaining("30 permutations");

    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = build(task, g);
    INDArray flag = g.sameDiff().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    List<Path> files = task.writeVisuals(TestKit.graphRunner(32), g.sameDiff(), tg, TestKit.sampleImages(6).images(), dir.resolve("v"));
    assertThat(files).extracting(f -> f.getFileName().toString())
        .containsExactly(JigsawTask.PERMUTATIONS_FILE, "jigsaw.png");
    assertThat(PermutationSet.read(files.get(0)).samePermutations(task.permutations())).isTrue();
    BufferedImage png = ImageIO.read(files.get(1).toFile());
    int cell = 28 * PuzzlePicture.SCALE + 2 * PuzzlePicture.BORDER;
    assertThat(png.getWidth()).isEqualTo(PuzzlePicture.GAP + 6 * (cell + PuzzlePicture.GAP));
    assertThat(png.getHeight()).isEqualTo(PuzzlePicture.GAP + 3 * (cell + PuzzlePicture.GAP));
    assertThat(flag.getFloat(0)).isZero();
  }
}
