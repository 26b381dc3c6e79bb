package dev.pretext.plugins.simclr;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.pretext.runtime.config.EffectiveSettings;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What results.json records for SimCLR: nested components with their own defaults filled in. */
class SimClrEffectiveSettingsTest {

  @TempDir Path dir;

  @Test
  void nestedLossSamplerAndAugmentationsGetTheirDefaults() throws Exception {
    Path file = dir.resolve("s.conf");
    Files.writeString(file, """
        suite {
          encoder { type = conv4 }
          methods = [ { type = simclr, loss { type = nt-xent, temperature = 0.2 } } ]
        }
        """);
    // The runtime's own settings record, so the runtime's registry (the testkit exposes none).
    PluginRegistry plugins = new PluginRegistry(new PluginLoader(Path.of("no-plugins-folder")).load());
    Config effective = EffectiveSettings.of(new SuiteLoader(plugins).load(file, List.of()), plugins);
    assertThat(effective.getDouble("methods.simclr.loss.temperature")).isEqualTo(0.2);
    assertThat(effective.getString("methods.simclr.sampler.type")).isEqualTo("in-batch");
    assertThat(effective.getInt("methods.simclr.projection.hidden")).isEqualTo(512);
    // An augmentation the user did not configure shows every setting it ran with.
    Config crop = effective.getConfigList("methods.simclr.augmentations").get(0);
    assertThat(crop.getString("type")).isEqualTo("random-resized-crop");
    assertThat(crop.getDoubleList("scale")).containsExactly(0.3, 1.0);
    assertThat(crop.hasPath("ratio")).isTrue();
    assertThat(effective.getIntList("encoder.channels")).isNotEmpty();
  }
}
