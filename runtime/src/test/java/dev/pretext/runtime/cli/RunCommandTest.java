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

  @Test
  void aNewRunIntoAFolderAnotherRunIsWritingIsRefusedAndMovesNothing() throws Exception {
    Path suite = Files.writeString(dir.resolve("suite.conf"), """
        suite {
          name = busy
          data { train-limit = 100, test-limit = 50 }
          encoder { type = tiny, width = 4 }
          methods = [ { type = brightness } ]
          baselines = []
        }
        """);
    Path folder = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(folder.resolve("results.json"), "{\"entries\": []}");
    try (dev.pretext.runtime.ActiveRun running = dev.pretext.runtime.ActiveRun.hold(folder)) {
      assertThat(dev.pretext.runtime.ActiveRun.inUse(folder)).isTrue();
      CliCapture.Result refused = CliCapture.run(dir, "run", suite.toString(), "--out", folder.toString());
      assertThat(refused.code()).isEqualTo(ExitCodes.BAD_CONFIG);
      assertThat(refused.err()).contains("another run is writing into " + folder).contains("--resume");
    }
    assertThat(folder.resolve("results.json")).hasContent("{\"entries\": []}");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("suite.conf", "busy");
    }
    // Once that run has ended, the folder is free again.
    assertThat(dev.pretext.runtime.ActiveRun.inUse(folder)).isFalse();
  }

  @Test
  void sparkWithoutTheRunnerOnTheClassPathIsRefusedBeforeAnythingLoads() throws Exception {
    // The runtime's own class path has no ClusterRunner: only the launcher's --spark class path does.
    CliCapture.Result r = CliCapture.run(dir, "run", dir.resolve("missing.conf").toString(), "--spark", "local[2]");
    assertThat(r.code()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(r.err()).contains("error: --spark needs the Spark runner add-on on the class path")
        .contains("Nothing was trained.").doesNotContain("suite file not found");
  }

  @Test
  void anOutThatIsAFileIsRefusedNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("results.txt"), "not a folder");

    assertThat(RunCommand.notAFolder(file, "--out"))
        .isEqualTo("--out names " + file + ", which is a file; results go into a folder (created if missing):"
            + " name another");
    assertThat(RunCommand.notAFolder(dir, "--out")).isNull();
    assertThat(RunCommand.notAFolder(dir.resolve("new"), "--out")).isNull();
  }

  @Test
  void exportEncoderNamesAMissingRunFolderAndAnOutThatIsAFolder() throws Exception {
    Path missing = dir.resolve("runs/nope");
    Captured none = capture(() -> PretextCli.execute("--home", dir.toString(), "export-encoder",
        missing.toString(), "--method", "simclr", "--out", dir.resolve("e.zip").toString()));
    assertThat(none.code()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(none.err()).contains("error: no such run folder: " + missing).doesNotContain("available");

    Path run = Files.createDirectories(dir.resolve("runs/quick"));
    Path folder = Files.createDirectories(dir.resolve("exports"));
    Captured intoFolder = capture(() -> PretextCli.execute("--home", dir.toString(), "export-encoder",
        run.toString(), "--method", "simclr", "--out", folder.toString()));
    assertThat(intoFolder.code()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(intoFolder.err()).contains("error: --out " + folder + " is a folder; name the file to write, e.g. "
        + folder.resolve("simclr.zip"));
  }

  record Captured(int code, String err) {}

  /** Runs {@code cli} with System.err captured (the commands print their errors there). */
  private static synchronized Captured capture(java.util.function.IntSupplier cli) {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
      int code = cli.getAsInt();
      return new Captured(code, bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
    }
  }
}
