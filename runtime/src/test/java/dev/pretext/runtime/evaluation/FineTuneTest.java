package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.FakePlugins;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.SupervisedTask;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.pretext.runtime.training.LinearHead;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class FineTuneTest {

  @TempDir Path dir;

  private static final FashionMnist.Split DATA = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);
  private final Components components = new Components(FakePlugins.registry(), 1, DATA.train().shape());

  private Encoder encoder(int width) {
    return components.create(Encoder.class, "tiny", ConfigFactory.parseString("width = " + width), "e");
  }

  private TrainedMethod pretrain() {
    PretextTask task = components.create(PretextTask.class, "brightness", ConfigFactory.empty(), "t");
    return new TrainingEngine().train(new TrainingEngine.Run("b", task, encoder(16), DATA.train(),
        new Suite.TrainingSettings(1, 100, 0.01, 0, 2, 20), 1, dir.resolve("pre"), false));
  }

  @Test
  void startsFromEveryPretrainedEncoderWeight() {
    SameDiff pretrained = pretrain().graph();
    SupervisedTask task = new SupervisedTask(10, pretrained, null, null);
    GraphBuilder g = GraphBuilder.create(99);
    task.build(g, encoder(16), DATA.train().shape());
    long compared = g.sameDiff().variables().stream()
        .filter(v -> v.name().startsWith(GraphBuilder.ENCODER_SCOPE + "/") && v.getArr() != null
            && pretrained.hasVariable(v.name()))
        .peek(v -> assertThat(v.getArr()).as(v.name()).isEqualTo(pretrained.getVariable(v.name()).getArr()))
        .count();
    assertThat(compared).isGreaterThan(0);
  }

  @Test
  void anEncoderOfAnotherShapeFailsNamingTheVariables() {
    SameDiff pretrained = pretrain().graph();
    SupervisedTask task = new SupervisedTask(10, pretrained, null, null);
    assertThatThrownBy(() -> task.build(GraphBuilder.create(1), encoder(8), DATA.train().shape()))
        .hasMessageContaining("the trained encoder's weights do not fit the images")
        .hasMessageContaining(GraphBuilder.ENCODER_SCOPE + "/fc_w [784, 16] where [784, 8] is needed");
  }

  @Test
  void smallFractionsAreStretchedToTheMinimumSteps() {
    Suite.FineTuneSettings s = new Suite.FineTuneSettings(List.of(0.01), 3, 200, 128, 1e-3);
    assertThat(FineTune.budget(s, 600).epochs()).isEqualTo(50);   // 4 batches per epoch
    assertThat(FineTune.budget(s, 60_000).epochs()).isEqualTo(3);  // 468 batches: epochs rule
    assertThat(FineTune.budget(s, 60).epochs()).isEqualTo(200);    // one batch of 60 per epoch
  }

  @Test
  void fineTunedNetworkLearnsTheLabelsAndKeysNameTheFractions() {
    Suite.FineTuneSettings s = new Suite.FineTuneSettings(List.of(0.1, 1.0), 1, 60, 100, 3e-3);
    ImageSet test = DATA.test();
    Map<String, Map<String, Double>> metrics = FineTune.run(new TrainingEngine(), "m",
        () -> encoder(16), pretrain().graph(), null, DATA.train(), test,
        s, 3, 1, dir.resolve("ft"));
    assertThat(metrics).containsOnlyKeys("fine_tune_10pct", "fine_tune");
    // Ten classes: chance is 0.1. A linear layer on pixels trained this briefly reaches ~0.7.
    assertThat(metrics.get("fine_tune_10pct").get("top1")).isGreaterThan(0.5);
    assertThat(metrics.get("fine_tune").get("top1")).isGreaterThan(0.5);
    assertThat(metrics.get("fine_tune").get("top5")).isGreaterThanOrEqualTo(metrics.get("fine_tune").get("top1"));
    assertThat(Files.exists(dir.resolve("ft").resolve("fine_tune_10pct"))).as("checkpoint removed").isFalse();
  }

  private static final Suite.ProbeSettings PROBE = new Suite.ProbeSettings(30, 0, 64, 3e-3, 1e-4);
  /** Adam's smallest step, once: the network scored is the one fine-tuning starts from. */
  private static final Suite.FineTuneSettings STILL_FROM_PROBE = new Suite.FineTuneSettings(
      List.of(0.2), 1, 1, 100, 1e-8, Suite.FineTuneSettings.Head.PROBE);

  /** An encoder's calibrated features, and its probe's top-1 on the 20 % that fine-tuning uses. */
  private record Probed(INDArray train, INDArray test, double top1At20Percent) {
    static Probed of(FrozenEncoder encoder) {
      encoder.calibrate(DATA.train(), 3, 100, 1);
      INDArray train = encoder.represent(DATA.train(), 200);
      INDArray test = encoder.represent(DATA.test(), 200);
      int[] rows = dev.pretext.runtime.Stratified.indices(DATA.train().labels(),
          (int) Math.round(0.2 * DATA.train().size()), 1 + 7919);
      double top1 = LinearProbe.evaluate(Nd4j.pullRows(train, 1, rows), DATA.train().subset(rows).labels(),
          test, DATA.test().labels(), 10, PROBE, 1).result().top1();
      return new Probed(train, test, top1);
    }
  }

  private double fineTuned(SameDiff pretrained, Suite.FineTuneSettings settings, INDArray features, String folder) {
    return FineTune.run(new TrainingEngine(), "m", () -> encoder(16), pretrained, null,
        DATA.train(), DATA.test(), settings, features, PROBE, 3, 1, dir.resolve(folder))
        .get("fine_tune_20pct").get("top1");
  }

  @Test
  void theProbeFoldedIntoAHeadGivesTheProbesScores() {
    Probed probed = Probed.of(FrozenEncoder.pretrained(pretrain(), encoder(16), DATA.train().shape(), 1));
    LinearProbe.Fitted probe = LinearProbe.fit(probed.train(), DATA.train().labels(), 10, PROBE, 1);
    LinearHead head = probe.head();
    INDArray logits = probed.test().mmul(head.weights()).addRowVector(head.bias());
    INDArray softmax = Transforms.softmax(logits, true);
    assertThat(softmax.sub(probe.scores(probed.test())).amaxNumber().doubleValue()).isLessThan(1e-4);
  }

  @Test
  void aProbeHeadStartsFineTuningWhereTheProbeIsAndARandomHeadDoesNot() {
    TrainedMethod pretrained = pretrain();
    Probed probed = Probed.of(FrozenEncoder.pretrained(pretrained, encoder(16), DATA.train().shape(), 1));
    double fromProbe = fineTuned(pretrained.graph(), STILL_FROM_PROBE, probed.train(), "p");
    double fromRandom = fineTuned(pretrained.graph(),
        new Suite.FineTuneSettings(List.of(0.2), 1, 1, 100, 1e-8), null, "r");

    assertThat(probed.top1At20Percent()).isGreaterThan(0.5);
    assertThat(fromProbe).isCloseTo(probed.top1At20Percent(), within(0.03));
    assertThat(fromRandom).isLessThan(probed.top1At20Percent() - 0.2);
  }

  @Test
  void fromScratchAProbeHeadReadsTheSameRandomWeightsTheProbeSaw() {
    // The random-init baseline: its features come from FrozenEncoder.untrained, its fine-tuning
    // from a fresh encoder built with the same seed; the head is only right if the weights agree.
    Probed probed = Probed.of(FrozenEncoder.untrained(encoder(16), DATA.train().shape(), 1));
    assertThat(probed.top1At20Percent()).isGreaterThan(0.5);
    assertThat(fineTuned(null, STILL_FROM_PROBE, probed.train(), "s"))
        .isCloseTo(probed.top1At20Percent(), within(0.03));
  }

  /**
   * A task whose representation, as CPC's, encodes several crops of each image and averages them:
   * its four 14x14 quadrants. Only its representation is used here.
   */
  private static final class QuadrantsTask implements PretextTask {
    @Override
    public TaskGraph build(GraphBuilder graph, Encoder encoder, ImageShape dataShape) {
      throw new UnsupportedOperationException("fine-tuning uses only its representation");
    }

    @Override
    public Map<String, INDArray> prepare(INDArray images, java.util.Random random) {
      throw new UnsupportedOperationException("fine-tuning uses only its representation");
    }

    @Override
    public ImageShape encoderShape(ImageShape shape) {
      return new ImageShape(shape.channels(), 14, 14);
    }

    @Override
    public Encoder.Representation representation(GraphBuilder graph, EncoderModule encoder, SDVariable images,
        ImageShape shape) {
      SDVariable[] quadrants = new SDVariable[4];
      for (int q = 0; q < 4; q++) {
        int top = q / 2 * 14;
        int left = q % 2 * 14;
        quadrants[q] = images.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(top, top + 14),
            SDIndex.interval(left, left + 14));
      }
      SDVariable z = encoder.apply(graph.sameDiff().concat(0, quadrants), encoderShape(shape), EncoderModule.MAIN)
          .representation();
      return new Encoder.Representation(z.reshape(4, -1, encoder.representationSize()).mean(0),
          encoder.representationSize());
    }
  }

  @Test
  void fineTuningTrainsTheTasksRepresentationOfTheImages() {
    Suite.FineTuneSettings s = new Suite.FineTuneSettings(List.of(1.0), 1, 60, 100, 3e-3);
    double top1 = FineTune.run(new TrainingEngine(), "quadrants", () -> encoder(16), null, new QuadrantsTask(),
        DATA.train(), DATA.test(), s, 3, 1, dir.resolve("q")).get("fine_tune").get("top1");
    assertThat(top1).isGreaterThan(0.5);
  }

  @Test
  void aProbeHeadNeedsTheFeatures() {
    Suite.FineTuneSettings s = new Suite.FineTuneSettings(List.of(0.1), 1, 1, 100, 1e-3,
        Suite.FineTuneSettings.Head.PROBE);
    assertThatThrownBy(() -> FineTune.run(new TrainingEngine(), "m", () -> encoder(16), null,
        null, DATA.train(), DATA.test(), s, null, PROBE, 3, 1, dir.resolve("x")))
        .hasMessageContaining("head = probe");
  }
}
