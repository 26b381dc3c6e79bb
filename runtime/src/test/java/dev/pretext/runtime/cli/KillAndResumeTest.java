package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kill -9} of a run's process at a step drawn from a seeded random, then {@code --resume}:
 * the results equal an uninterrupted run's (runs are deterministic), and every entry recorded
 * before the kill stays exactly as it was. The killed run is a separate JVM (this test's class
 * path, so the test-only plugin's {@code print-steps} tells which step it is at); the resume and
 * the uninterrupted run are in-process.
 */
class KillAndResumeTest {

  /** Two methods of 2 epochs of 4 batches. */
  private static final int STEPS = 16;
  private static final long KILL_POINT_SEED = 1;

  @TempDir static Path shared;
  private static Path suite;
  private static Map<String, JsonNode> uninterrupted;

  @BeforeAll
  static void runUninterrupted() throws Exception {
    suite = Files.writeString(shared.resolve("kill.conf"), """
        suite {
          name = kill
          threads = 2
          data { train-limit = 200, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 50 }
          methods = [
            { type = brightness, name = first, print-steps = true }
            { type = brightness, name = second, print-steps = true, scale = 2 }
          ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
        }
        """);
    Path out = shared.resolve("uninterrupted");
    CliCapture.Result r = CliCapture.run(shared, "run", suite.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    uninterrupted = RunFolder.entries(out);
    assertThat(uninterrupted).containsOnlyKeys("first seed 1", "second seed 1");
  }

  /** The steps ("fake-step N", counted from 1 over both methods) at which the run is killed. */
  static IntStream killPoints() {
    return new Random(KILL_POINT_SEED).ints(3, 1, STEPS + 1);
  }

  @ParameterizedTest(name = "killed at step {0}")
  @MethodSource("killPoints")
  void aRunKilledAtAStepAndResumedEndsWithTheUninterruptedResultsKeepingWhatItHadRecorded(int killAt,
      @TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("killed.err");
    Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=2G", "-cp", System.getProperty("java.class.path"),
        PretextCli.class.getName(), "--home", dir.toString(), "run", suite.toString(), "--out", out.toString()))
        .redirectError(err.toFile()).start();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null && !line.equals("fake-step " + killAt)) {
        // not there yet
      }
      if (line == null) {
        fail("the run ended (exit %d) before step %d:%n%s", run.waitFor(), killAt, Files.readString(err));
      }
      run.destroyForcibly();
    } finally {
      run.destroyForcibly().waitFor();
    }

    Map<String, JsonNode> recorded = RunFolder.entries(out);
    assertThat(recorded).as("recorded when killed").doesNotContainKey("second seed 1");
    if (killAt > STEPS / 2) {
      assertThat(recorded).as("recorded when killed").containsKey("first seed 1");
    }
    // Each checkpoint the kill left is whole: the losses it holds are the uninterrupted run's first ones.
    for (String method : List.of("first", "second")) {
      Path work = out.resolve("work").resolve(method + "-seed1");
      Path progress = Files.exists(work.resolve("checkpoint/progress.json")) ? work.resolve("checkpoint/progress.json")
          : work.resolve("checkpoint.old/progress.json");
      if (Files.exists(progress)) {
        JsonNode losses = RunFolder.read(progress).path("stepLosses");
        JsonNode expected = uninterrupted.get(method + " seed 1").path("stepLosses");
        assertThat(losses.size()).as(progress.toString()).isPositive();
        for (int i = 0; i < losses.size(); i++) {
          assertThat(losses.get(i)).as(progress + " step " + i).isEqualTo(expected.get(i));
        }
      }
    }
    CliCapture.Result resumed = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(), "--resume");

    assertThat(resumed.code()).as(resumed.err()).isEqualTo(ExitCodes.OK);
    Map<String, JsonNode> after = RunFolder.entries(out);
    assertThat(after).containsOnlyKeys(uninterrupted.keySet());
    recorded.forEach((entry, json) -> assertThat(after.get(entry)).as(entry + " recorded before the kill")
        .isEqualTo(json));
    uninterrupted.forEach((entry, json) -> assertThat(withoutTimes(after.get(entry))).as(entry)
        .isEqualTo(withoutTimes(json)));
    assertThat(RunFolder.temporaries(out)).isEmpty();
    assertThat(out.resolve("work")).doesNotExist();
  }

  /** The entry without its wall times, which differ from run to run. */
  private static JsonNode withoutTimes(JsonNode entry) {
    ObjectNode copy = entry.deepCopy();
    copy.remove(List.of("pretrainingSeconds", "imagesPerSecond", "evaluationSeconds"));
    return copy;
  }
}
