package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private static final long PID = ProcessHandle.current().pid();

  private List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void replacesTheFileAndLeavesNoTemporary() throws IOException {
    Path file = dir.resolve("sub/report.html");
    AtomicFiles.writeString(file, "first");
    AtomicFiles.writeString(file, "second");

    assertThat(file).hasContent("second");
    assertThat(names(file.getParent())).containsExactly("report.html");
  }

  @Test
  void aWriterThatFailsHalfWayLeavesTheOldFileWholeAndNoTemporary() throws IOException {
    Path file = dir.resolve("report.html");
    AtomicFiles.writeString(file, "the whole earlier report");

    assertThatThrownBy(() -> AtomicFiles.write(file, tmp -> {
      Files.writeString(tmp, "<html><bo");
      throw new IOException("No space left on device");
    }))
        .isInstanceOf(WriteFailedException.class)
        .hasMessage("no space left on device writing " + file)
        .satisfies(e -> assertThat(((WriteFailedException) e).file()).isEqualTo(file));
    assertThat(file).hasContent("the whole earlier report");
    assertThat(names(dir)).containsExactly("report.html");
  }

  @Test
  void aFullDiskIsReportedWithTheOperatingSystemsReasonAndTheFile() throws IOException {
    Path full = Path.of("/dev/full");
    assumeThat(Files.exists(full)).as("Linux /dev/full").isTrue();
    Path file = dir.resolve("results.md");
    // The temporary the write will open, pointed at a device that answers every write with ENOSPC.
    Files.createSymbolicLink(dir.resolve("results.md." + PID + ".tmp"), full);

    assertThatThrownBy(() -> AtomicFiles.writeString(file, "x".repeat(100_000)))
        .isInstanceOf(WriteFailedException.class)
        .hasMessage("no space left on device writing " + file);
    assertThat(names(dir)).isEmpty();
  }

  @Test
  void aFolderInTheWayIsReportedAndTheTemporaryRemoved() throws IOException {
    Path file = dir.resolve("results.csv");
    Files.createDirectories(file.resolve("not-empty"));

    assertThatThrownBy(() -> AtomicFiles.writeString(file, "name,kind\n"))
        .isInstanceOf(WriteFailedException.class)
        .hasMessageEndingWith(" writing " + file);
    assertThat(names(dir)).containsExactly("results.csv");
  }

  @Test
  void unwrapsTheIoExceptionALibraryWrappedInAnUncheckedOne() {
    Path file = dir.resolve("encoders/a-seed1.fb");

    assertThatThrownBy(() -> AtomicFiles.write(file, tmp -> {
      throw new RuntimeException("save failed", new IOException("No space left on device"));
    })).isInstanceOf(WriteFailedException.class).hasMessage("no space left on device writing " + file);
    assertThatThrownBy(() -> AtomicFiles.write(file, tmp -> {
      throw new IllegalStateException("a bug");
    })).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void removesTemporariesOfGoneProcessesAndOfEarlierVersionsButNotOfLiveOnes() throws IOException {
    Path figures = Files.createDirectories(dir.resolve("figures"));
    long gone = 999_999_999L; // above any pid_max: no such process
    for (String name : List.of("results.json.tmp", "report.html." + PID + ".tmp", "results.md." + gone + ".tmp",
        "results.csv.1.tmp", "notes.txt", "notes.tmp")) {
      Files.writeString(dir.resolve(name), "x", StandardCharsets.UTF_8);
    }
    Files.writeString(figures.resolve("pca.png." + gone + ".tmp"), "x");
    Files.createDirectories(dir.resolve("work/a-seed1.tmp"));
    Files.createDirectories(dir.resolve("checkpoint.tmp"));

    AtomicFiles.removeStale(List.of(dir, figures, dir.resolve("missing")));

    // pid 1 is alive: another run filling this folder may be writing that file.
    // A .tmp file Pretext did not write stays too.
    assertThat(names(dir)).containsExactly("checkpoint.tmp", "figures", "notes.tmp", "notes.txt",
        "results.csv.1.tmp", "work");
    assertThat(names(figures)).isEmpty();
    assertThat(dir.resolve("work/a-seed1.tmp")).isDirectory();
  }
}
