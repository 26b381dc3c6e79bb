package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.plugins.PluginJarBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pretext plugins} lists what failed to load, with the reason, and says so in its exit code. */
class PluginsCommandTest {

  @TempDir Path dir;

  @Test
  void aPluginThatFailedIsListedWithItsReasonAndTheCommandExits2UnlessToldToIgnoreIt() {
    Path plugins = dir.resolve("plugins");
    Path broken = PluginJarBuilder.plugin("broken").entry("broken.Missing").writeTo(plugins.resolve("broken.jar"));

    CliCapture.Result r = CliCapture.run(dir, "--plugins", plugins.toString(), "plugins");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    // The class-path plugins still load and are listed.
    assertThat(r.out()).contains("test-fakes").contains("Failed to load (1):")
        .contains("  " + broken + "\n    service file names class broken.Missing which is missing");
    assertThat(r.err()).contains("1 plugin(s) failed to load");

    CliCapture.Result ignoring = CliCapture.run(dir, "--plugins", plugins.toString(), "plugins", "--ignore-failed");
    assertThat(ignoring.code()).isZero();
    assertThat(ignoring.out()).contains("Failed to load (1):");
  }

  @Test
  void withEveryPluginLoadedItExits0AndListsNoFailures() {
    CliCapture.Result r = CliCapture.run(dir, "--plugins", dir.resolve("empty").toString(), "plugins");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("test-fakes").doesNotContain("Failed to load");
  }
}
