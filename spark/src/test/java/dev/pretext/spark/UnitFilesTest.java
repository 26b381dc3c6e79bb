package dev.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a task carries back of its unit's files, and where the driver puts them. */
class UnitFilesTest {

  @TempDir Path dir;

  @Test
  void aUnitCarriesItsEncoderFiguresAndVisualsButNotTheSummaryOrAnotherSeedsFiles() throws Exception {
    Path task = dir.resolve("task");
    for (String f : new String[] {"encoders/simclr_temperature-0.2-seed1.fb", "encoders/simclr_temperature-0.2-seed1.json",
        "figures/simclr_temperature-0.2-seed1-pca.png", "visuals/simclr_temperature-0.2-seed1/views.png",
        "figures/linear-probe.png", "figures/simclr_temperature-0.2-seed10-pca.png", "results.json",
        "work/simclr_temperature-0.2-seed1/checkpoint", "encoders/simclr_temperature-0.2-seed1.fb.123.tmp"}) {
      Files.createDirectories(task.resolve(f).getParent());
      Files.writeString(task.resolve(f), f);
    }
    LinkedHashMap<String, byte[]> files = UnitFiles.collect(task, "simclr_temperature-0.2-seed1");
    assertThat(files.keySet()).containsExactly("encoders/simclr_temperature-0.2-seed1.fb",
        "encoders/simclr_temperature-0.2-seed1.json", "figures/simclr_temperature-0.2-seed1-pca.png",
        "visuals/simclr_temperature-0.2-seed1/views.png");

    Path run = dir.resolve("run");
    UnitFiles.write(run, files);
    assertThat(run.resolve("visuals/simclr_temperature-0.2-seed1/views.png"))
        .hasContent("visuals/simclr_temperature-0.2-seed1/views.png");
    assertThatThrownBy(() -> UnitFiles.write(run, Map.of("../outside.png", new byte[1])))
        .hasMessageContaining("outside the run folder");
  }
}
