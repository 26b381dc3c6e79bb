package dev.pretext.benchmarks;

import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.runtime.training.TrainingEngine;
import dev.pretext.testkit.TestImages;
import dev.pretext.testkit.TestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benchmarks need of the runtime beyond the testkit, whose API hides the runtime: the
 * plugin registry and training runs that report the runtime's timings.
 */
final class BenchmarkRuns {

  private static PluginRegistry plugins;

  private BenchmarkRuns() {}

  /** The plugins on the class path. */
  static synchronized PluginRegistry plugins() {
    if (plugins == null) {
      plugins = new PluginRegistry(new PluginLoader(Path.of("no-plugins-folder")).load());
    }
    return plugins;
  }

  /** The testkit's colour images as the runtime's image set. */
  static ImageSet colourSample() {
    TestImages colour = TestKit.colourSampleImages(Integer.MAX_VALUE);
    return new ImageSet(colour.images(), colour.labels(), FashionMnist.CLASS_NAMES,
        "Fashion-MNIST sample tinted by class");
  }

  /** {@code steps} steps of the training engine (learning rate 1e-3), in a temporary folder. */
  static TrainedMethod train(PretextTask task, Encoder encoder, ImageSet data, int steps, int batchSize,
      long seed) {
    int perEpoch = Math.max(1, data.size() / batchSize);
    int epochs = (steps + perEpoch - 1) / perEpoch;
    Suite.TrainingSettings settings = new Suite.TrainingSettings(epochs, batchSize, 1e-3, 0, 2, steps);
    try {
      return new TrainingEngine().train(new TrainingEngine.Run("benchmark", task, encoder, data, settings, seed,
          Files.createTempDirectory("pretext-benchmark"), false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
