package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.FakePlugins;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FrozenEncoderTest {

  @TempDir Path dir;

  private static final ImageSet DATA = FashionMnist.load(FashionMnist.Source.EMBEDDED, null)
      .train().stratifiedSubset(30, 1);

  private static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  private void checkBatchIndependentAndRepeatable(FrozenEncoder frozen) {
    frozen.calibrate(DATA, 3, 100, 1);
    INDArray all = frozen.represent(DATA, 100);
    INDArray again = frozen.represent(DATA, 100);
    INDArray small = frozen.represent(DATA, 7);
    assertThat(maxDiff(all, again)).as("repeat").isLessThan(1e-5);
    assertThat(maxDiff(all, small)).as("batch size 7 vs 100").isLessThan(1e-4);
    assertThat(maxDiff(all, frozen.represent(DATA, DATA.size() - 1))).as("last batch of one").isLessThan(1e-4);
    // Calibrating again on the same batches restores the same statistics.
    frozen.calibrate(DATA, 3, 100, 1);
    assertThat(maxDiff(all, frozen.represent(DATA, 50))).as("after recalibration").isLessThan(1e-4);
  }

  @Test
  void untrainedEncoderFeaturesDoNotDependOnTheBatch() {
    Components components = new Components(FakePlugins.registry(), 1, DATA.shape());
    Encoder encoder = components.create(Encoder.class, "tiny", ConfigFactory.empty(), "e");
    checkBatchIndependentAndRepeatable(FrozenEncoder.untrained(encoder, DATA.shape(), 1));
  }

  @Test
  void trainedEncoderFeaturesDoNotDependOnTheBatch() {
    Components components = new Components(FakePlugins.registry(), 1, DATA.shape());
    PretextTask task = components.create(PretextTask.class, "brightness", ConfigFactory.empty(), "t");
    Encoder encoder = components.create(Encoder.class, "tiny", ConfigFactory.empty(), "e");
    TrainedMethod trained = new TrainingEngine().train(new TrainingEngine.Run("b", task, encoder, DATA,
        new Suite.TrainingSettings(2, 50, 0.01, 0, 2, 0), 1, dir, false));
    checkBatchIndependentAndRepeatable(FrozenEncoder.pretrained(trained, encoder, DATA.shape(), 1));
  }
}
