package dev.pretext.plugins.standard;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentRegistry;
import dev.pretext.api.Encoder;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * What these tests would take from the testkit, which they cannot use: the testkit depends on this
 * plugin, to bring the standard components to every other plugin's tests.
 */
final class Fixtures {

  private static FashionMnist.Split sample;
  private static PluginRegistry plugins;

  private Fixtures() {}

  static synchronized FashionMnist.Split sample() {
    if (sample == null) {
      sample = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);
    }
    return sample;
  }

  static ImageSet sampleImages(int n) {
    ImageSet train = sample().train();
    return train.subset(IntStream.range(0, Math.min(n, train.size())).toArray());
  }

  static synchronized ComponentRegistry components(long seed) {
    if (plugins == null) {
      plugins = new PluginRegistry(new PluginLoader(Path.of("no-plugins-folder")).load());
    }
    return new Components(plugins, seed, FashionMnist.SHAPE);
  }

  static Encoder encoder(String type, String hocon, long seed) {
    return components(seed).create(Encoder.class, type, ConfigFactory.parseString(hocon), "test.encoder");
  }
}
