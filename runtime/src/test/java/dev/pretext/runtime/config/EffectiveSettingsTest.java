package dev.pretext.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.pretext.runtime.FakePlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EffectiveSettingsTest {

  @TempDir Path dir;

  @Test
  void everyComponentCarriesItsDefaultsUnderTheUsersValues() throws Exception {
    Path file = dir.resolve("s.conf");
    Files.writeString(file, """
        suite {
          encoder { type = tiny }
          methods = [ brightness, { type = brightness, name = scaled, scale = 2.5 } ]
        }
        """);
    var registry = FakePlugins.registry();
    Config effective = EffectiveSettings.of(new SuiteLoader(registry).load(file, List.of()), registry);
    assertThat(effective.getString("encoder.type")).isEqualTo("tiny");
    assertThat(effective.getInt("encoder.width")).isEqualTo(16);
    assertThat(effective.getDouble("methods.brightness.scale")).isEqualTo(1.0);
    assertThat(effective.getInt("methods.brightness.explode-at-step")).isEqualTo(-1);
    assertThat(effective.getDouble("methods.scaled.scale")).isEqualTo(2.5);
    assertThat(effective.getString("methods.scaled.type")).isEqualTo("brightness");
  }
}
