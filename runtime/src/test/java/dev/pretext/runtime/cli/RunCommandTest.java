package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

  @TempDir Path dir;

  @Test
  void aNewRunMovesEarlierResultsAsideInsteadOfOverwritingThem() throws Exception {
    Path folder = dir.resolve("quick");
    Files.createDirectories(folder.resolve("figures"));
    Files.writeString(folder.resolve("results.json"), "{\"first\": true}");
    RunCommand.keepEarlierResults(folder);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("results.json"), "{\"second\": true}");
    RunCommand.keepEarlierResults(folder);

    assertThat(folder).doesNotExist();
    List<Path> kept;
    try (Stream<Path> s = Files.list(dir)) {
      kept = s.sorted().toList();
    }
    assertThat(kept).hasSize(2).allSatisfy(p -> assertThat(p.getFileName().toString()).startsWith("quick-"));
    assertThat(kept.stream().map(p -> {
      try {
        return Files.readString(p.resolve("results.json"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })).containsExactlyInAnyOrder("{\"first\": true}", "{\"second\": true}");
  }

  @Test
  void aFolderWithoutResultsIsLeftAlone() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("fresh"));
    RunCommand.keepEarlierResults(folder);
    RunCommand.keepEarlierResults(dir.resolve("missing"));
    assertThat(folder).exists();
  }
}
