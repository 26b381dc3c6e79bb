package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.FakePlugins;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.junit.jupiter.api.io.TempDir;

class TrainingEngineTest {

  @TempDir Path dir;

  private static final ImageSet DATA = FashionMnist.load(FashionMnist.Source.EMBEDDED, null)
      .train().stratifiedSubset(50, 1);

  private static TrainingEngine.Run run(String taskSettings, int epochs, Path work, boolean resume) {
    return run(taskSettings, new Suite.TrainingSettings(epochs, 50, 0.01, 0, 2, 0), work, resume);
  }

  private static TrainingEngine.Run run(String taskSettings, Suite.TrainingSettings training, Path work,
      boolean resume) {
    Components components = new Components(FakePlugins.registry(), 1, DATA.shape());
    PretextTask task = components.create(PretextTask.class, "brightness",
        ConfigFactory.parseString(taskSettings), "test");
    Encoder encoder = components.create(Encoder.class, "tiny", ConfigFactory.empty(), "test.encoder");
    return new TrainingEngine.Run("brightness", task, encoder, DATA, training, 1, work, resume);
  }

  /**
   * A thread starts at OpenMP's own count (OMP_NUM_THREADS, else the cores), which may differ from
   * the run's (PRETEXT_THREADS): the run applies its own before its first op, so a first run on that
   * thread and a second one of the same seed are equal step for step. Before, the first step ran on
   * the thread's count and the two differed in the last digits.
   */
  @Test
  void aRunAppliesItsThreadCountBeforeItsFirstStep() throws Exception {
    assumeTrue(ComputeThreads.current() >= 2, "needs a run count of 2+ (the tests' PRETEXT_THREADS=2)");
    java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
    Thread fresh = new Thread(() -> {
      try {
        // As OMP_NUM_THREADS=1 would leave a new thread.
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
        Suite.TrainingSettings settings = new Suite.TrainingSettings(1, 100, 0.01, 0, 2, 3);
        TrainedMethod first = new TrainingEngine().train(convRun(settings, dir.resolve("first")));
        TrainedMethod second = new TrainingEngine().train(convRun(settings, dir.resolve("second")));
        outcome.set(new List[] {first.stepLosses(), second.stepLosses()});
      } catch (Throwable t) {
        outcome.set(t);
      }
    });
    fresh.start();
    fresh.join();
    if (outcome.get() instanceof Throwable t) {
      throw new AssertionError(t);
    }
    List<?>[] losses = (List<?>[]) outcome.get();
    assertThat(losses[1]).as("the second run's step losses").isEqualTo(losses[0]);
  }

  /** The brightness task on two 3×3 convolutions over 400 images: ops large enough to be split in two. */
  private static TrainingEngine.Run convRun(Suite.TrainingSettings training, Path work) {
    ImageSet images = FashionMnist.load(FashionMnist.Source.EMBEDDED, null).train().stratifiedSubset(400, 1);
    Components components = new Components(FakePlugins.registry(), 1, images.shape());
    PretextTask task = components.create(PretextTask.class, "brightness", ConfigFactory.empty(), "test");
    Encoder encoder = components.create(Encoder.class, "tiny-conv", ConfigFactory.parseString("width = 16"),
        "test.encoder");
    return new TrainingEngine.Run("brightness", task, encoder, images, training, 1, work, false);
  }

  @Test
  void lossFallsAndEveryStepIsRecorded() {
    TrainedMethod trained = new TrainingEngine().train(run("", 4, dir, false));
    assertThat(trained.steps()).isEqualTo(40);
    assertThat(trained.stepLosses()).hasSize(40).allMatch(Double::isFinite);
    assertThat(trained.epochLosses()).hasSize(4);
    assertThat(trained.epochLosses().get(3)).isLessThan(trained.epochLosses().get(0));
  }

  @Test
  void nanLossStopsWithAClearMessage() {
    assertThatThrownBy(() -> new TrainingEngine().train(run("explode-at-step = 12", 3, dir, false)))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("'brightness'").hasMessageContaining("NaN").hasMessageContaining("step 12");
  }

  @Test
  void resumeContinuesFromTheLastEpochCheckpoint() throws Exception {
    Path work = dir.resolve("work");
    // First session: stop after 2 of 4 epochs, as if interrupted there.
    TrainedMethod first = new TrainingEngine().train(run("", 2, work, false));
    assertThat(Files.exists(work.resolve("checkpoint").resolve("graph.fb"))).isTrue();
    TrainedMethod resumed = new TrainingEngine().train(run("", 4, work, true));
    assertThat(resumed.steps()).isEqualTo(40);
    assertThat(resumed.epochLosses()).hasSize(4);
    assertThat(resumed.epochLosses().subList(0, 2)).isEqualTo(first.epochLosses());
    assertThat(resumed.seconds()).isGreaterThan(first.seconds());
    // The rate covers all 40 steps of 50 images over both sessions' seconds.
    assertThat(resumed.imagesPerSecond()).isCloseTo(40 * 50 / resumed.seconds(),
        org.assertj.core.data.Offset.offset(1e-6));
    // Resumed with nothing left to train: the rate is still the first session's, not 0.
    TrainedMethod again = new TrainingEngine().train(run("", 4, work, true));
    assertThat(again.imagesPerSecond()).isCloseTo(resumed.imagesPerSecond(), org.assertj.core.data.Offset.offset(1e-6));
    // Same seed, same data order: the resumed run matches an uninterrupted one closely.
    TrainedMethod straight = new TrainingEngine().train(run("", 4, dir.resolve("straight"), false));
    assertThat(resumed.epochLosses().get(3))
        .isCloseTo(straight.epochLosses().get(3), org.assertj.core.data.Percentage.withPercentage(5));
  }

  @Test
  void cosineScheduleEndsAtZeroAndResumeContinuesIt() {
    Suite.TrainingSettings cosine = new Suite.TrainingSettings(4, 50, 0.01, 0, 2, 0,
        Suite.Schedule.COSINE, 1);
    Path work = dir.resolve("cosine");
    // Interrupted in epoch 3 (the checkpoint holds 2 epochs, 20 steps), then resumed: the
    // iteration count the schedule reads must continue from 20, not restart at 0.
    assertThatThrownBy(() -> new TrainingEngine().train(run("explode-at-step = 25", cosine, work, false)))
        .isInstanceOf(TrainingDivergedException.class);
    TrainedMethod resumed = new TrainingEngine().train(run("", cosine, work, true));
    org.nd4j.autodiff.samediff.TrainingConfig config = resumed.graph().getTrainingConfig();
    assertThat(config.getIterationCount()).isEqualTo(40);
    org.nd4j.linalg.learning.config.Adam adam = (org.nd4j.linalg.learning.config.Adam) config.getUpdater();
    assertThat(adam.getLearningRate(0, 0)).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(adam.getLearningRate(10, 0)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(adam.getLearningRate(40, 0)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-12));
  }
}
