package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pretext.runtime.FakePlugins;
import dev.pretext.runtime.evaluation.FineTune;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults in the middle of a run, through the command line with the test-only plugin
 * ({@code brightness}'s {@code fail-at-batch} and {@code hook}): each ends with its documented exit
 * code and one message naming what failed and why, leaves every finished entry and the failed
 * method's checkpoint byte for byte as they were, and {@code --resume} then finishes the suite.
 * The NaN case is {@link DivergenceGuardTest}; a kill is {@link KillAndResumeTest}.
 */
class FaultInjectionTest {

  @TempDir Path dir;

  private final String hook = "fault-" + UUID.randomUUID();

  @AfterEach
  void removeHook() {
    FakePlugins.HOOKS.remove(hook);
  }

  private Path suite(String name, String methods) throws IOException {
    return Files.writeString(dir.resolve(name + ".conf"), """
        suite {
          name = %s
          data { train-limit = 200, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 50 }
          methods = [ %s ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
        }
        """.formatted(name, methods));
  }

  @Test
  void aDataReaderFailingMidEpochFailsItsMethodWhichKeepsItsCheckpointTheOthersGoOnAndTheRunExits4()
      throws Exception {
    // 4 batches an epoch: batch 5 (0-based) is the second of epoch 2, after the first epoch's checkpoint.
    Path suite = suite("reader", "brightness, { type = brightness, name = flaky, fail-at-batch = 5, hook = \""
        + hook + "\" }, { type = brightness, name = last }");
    Path out = dir.resolve("out");
    AtomicReference<JsonNode> firstWhenFlakyStarted = new AtomicReference<>();
    FakePlugins.HOOKS.put(hook, () -> firstWhenFlakyStarted.set(entriesOf(out).get("brightness seed 1")));

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.TRAINING_FAILED);
    String reason =
        "preparing the batch of step 5 failed: cannot read /data/brightness-targets.bin: Input/output error";
    assertThat(r.err()).contains("!! flaky failed: " + reason).doesNotContain("internal error").doesNotContain("\tat ");
    Map<String, JsonNode> entries = RunFolder.entries(out);
    assertThat(entries).containsOnlyKeys("brightness seed 1", "flaky seed 1", "last seed 1");
    assertThat(entries.get("flaky seed 1").path("status").asText()).isEqualTo("failed");
    assertThat(entries.get("flaky seed 1").path("reason").asText()).isEqualTo(reason);
    assertThat(entries.get("last seed 1").path("status").asText()).isEqualTo("ok");
    assertThat(entries.get("last seed 1").path("steps").asLong()).isEqualTo(8);
    assertThat(firstWhenFlakyStarted.get()).isNotNull().isEqualTo(entries.get("brightness seed 1"));
    // The failure surfaces at its own step, after the batches prepared before it: epoch 1's checkpoint is kept.
    Path checkpoint = out.resolve("work/flaky-seed1/checkpoint");
    JsonNode progress = RunFolder.read(checkpoint.resolve("progress.json"));
    assertThat(progress.path("epochsDone").asInt()).isEqualTo(1);
    assertThat(progress.path("steps").asLong()).isEqualTo(4);
    Map<String, String> kept = RunFolder.hashes(checkpoint);

    // The resumed method (a new task, whose reader does not fail again) continues from that checkpoint.
    Map<String, JsonNode> after = resumeFromKept(suite, out, checkpoint, kept);
    assertThat(after.get("brightness seed 1")).isEqualTo(entries.get("brightness seed 1"));
    assertThat(after.get("last seed 1")).isEqualTo(entries.get("last seed 1"));
    JsonNode flaky = after.get("flaky seed 1");
    assertThat(flaky.path("status").asText()).isEqualTo("ok");
    assertThat(flaky.path("steps").asLong()).isEqualTo(8);
    for (int i = 0; i < 4; i++) {
      assertThat(flaky.path("stepLosses").get(i).asDouble()).isEqualTo(progress.path("stepLosses").get(i).asDouble());
    }
    assertThat(out.resolve("work")).doesNotExist();
  }

  @Test
  void aDiskThatFillsMidRunStopsItWithTheFileAndTheCauseExit5AndResumeFinishesFromTheCheckpoint()
      throws Exception {
    // Root writes through permissions, so the fault is a full disk: the temporary results.json is
    // written through (AtomicFiles' name for it, with this JVM's pid) becomes a link to /dev/full.
    Path full = Path.of("/dev/full");
    assumeThat(Files.isWritable(full)).as("/dev/full").isTrue();
    Path suite = suite("full", "brightness, { type = brightness, name = second, hook = \"" + hook + "\" }");
    Path out = dir.resolve("out");
    Path tmp = out.resolve("results.json." + ProcessHandle.current().pid() + ".tmp");
    AtomicReference<byte[]> resultsWhenFull = new AtomicReference<>();
    FakePlugins.HOOKS.put(hook, () -> {
      try {
        resultsWhenFull.set(Files.readAllBytes(out.resolve("results.json")));
        Files.createSymbolicLink(tmp, full);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.IO_FAILED);
    assertThat(r.err()).contains("error: no space left on device writing " + out.resolve("results.json"))
        .doesNotContain("internal error").doesNotContain("\tat ");
    assertThat(resultsWhenFull.get()).isNotNull();
    assertThat(Files.readAllBytes(out.resolve("results.json"))).isEqualTo(resultsWhenFull.get());
    Map<String, JsonNode> entries = RunFolder.entries(out);
    assertThat(entries).containsOnlyKeys("brightness seed 1");
    assertThat(Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)).as("temporary left behind").isFalse();
    Path checkpoint = out.resolve("work/second-seed1/checkpoint");
    JsonNode progress = RunFolder.read(checkpoint.resolve("progress.json"));
    assertThat(progress.path("epochsDone").asInt()).isEqualTo(2);
    Map<String, String> kept = RunFolder.hashes(checkpoint);

    Map<String, JsonNode> after = resumeFromKept(suite, out, checkpoint, kept);
    assertThat(after.get("brightness seed 1")).isEqualTo(entries.get("brightness seed 1"));
    JsonNode second = after.get("second seed 1");
    assertThat(second.path("status").asText()).isEqualTo("ok");
    assertThat(second.path("steps").asLong()).isEqualTo(8);
    assertThat(second.path("stepLosses")).isEqualTo(progress.path("stepLosses"));
    assertThat(RunFolder.temporaries(out)).isEmpty();
    assertThat(out.resolve("work")).doesNotExist();
  }

  @Test
  void aCheckpointThatCannotBeWrittenStopsTheRunNamingItsFolderAndTheCauseExit5() throws Exception {
    // A file where the method's work folder was (root writes through permissions): its checkpoint
    // cannot be written, as on a full disk or a folder made read-only.
    Path suite = suite("checkpoint", "brightness, { type = brightness, name = second, hook = \"" + hook + "\" }");
    Path out = dir.resolve("out");
    Path work = out.resolve("work/second-seed1");
    AtomicReference<byte[]> resultsThen = new AtomicReference<>();
    FakePlugins.HOOKS.put(hook, () -> {
      try {
        resultsThen.set(Files.readAllBytes(out.resolve("results.json")));
        dev.pretext.runtime.training.Checkpoints.deleteRecursively(work);
        Files.writeString(work, "in the way");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.IO_FAILED);
    assertThat(r.err()).contains("error: not a directory writing " + work.resolve("checkpoint"))
        .doesNotContain("internal error").doesNotContain("\tat ");
    assertThat(resultsThen.get()).isNotNull();
    assertThat(Files.readAllBytes(out.resolve("results.json"))).isEqualTo(resultsThen.get());
    Map<String, JsonNode> entries = RunFolder.entries(out);
    assertThat(entries).containsOnlyKeys("brightness seed 1");

    // Once the folder can be written again, --resume trains the method and keeps the finished entry.
    Files.delete(work);
    FakePlugins.HOOKS.put(hook, () -> { });
    CliCapture.Result resumed = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(), "--resume");

    assertThat(resumed.code()).as(resumed.err()).isEqualTo(ExitCodes.OK);
    Map<String, JsonNode> after = RunFolder.entries(out);
    assertThat(after.get("brightness seed 1")).isEqualTo(entries.get("brightness seed 1"));
    assertThat(after.get("second seed 1").path("status").asText()).isEqualTo("ok");
    assertThat(after.get("second seed 1").path("steps").asLong()).isEqualTo(8);
    assertThat(out.resolve("work")).doesNotExist();
  }

  @Test
  void aFineTuneCheckpointThatCannotBeWrittenStopsTheRunLikePretrainingsExit5AndResumeKeepsThePretraining()
      throws Exception {
    // A file where the method's fine-tuning folder goes: pretraining checkpoints, fine-tuning cannot.
    Path suite = Files.writeString(dir.resolve("fine.conf"), """
        suite {
          name = fine
          data { train-limit = 200, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 50 }
          methods = [ brightness, { type = brightness, name = second, hook = "%s" } ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5,
                       fine-tune { fractions = [0.5], epochs = 1, min-steps = 2, batch-size = 50 } }
        }
        """.formatted(hook));
    Path out = dir.resolve("out");
    Path work = out.resolve("work/second-seed1");
    AtomicReference<byte[]> resultsThen = new AtomicReference<>();
    FakePlugins.HOOKS.put(hook, () -> {
      try {
        resultsThen.set(Files.readAllBytes(out.resolve("results.json")));
        Files.writeString(work.resolve("fine-tune"), "in the way");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.IO_FAILED);
    Path fineTuneCheckpoint = work.resolve("fine-tune").resolve(FineTune.key(0.5)).resolve("checkpoint");
    assertThat(r.err()).contains("error: not a directory writing " + fineTuneCheckpoint)
        .doesNotContain("!! fine-tuning").doesNotContain("internal error").doesNotContain("\tat ");
    assertThat(Files.readAllBytes(out.resolve("results.json"))).isEqualTo(resultsThen.get());
    Map<String, JsonNode> entries = RunFolder.entries(out);
    assertThat(entries).containsOnlyKeys("brightness seed 1");
    assertThat(entries.get("brightness seed 1").path("metrics").has(FineTune.key(0.5))).isTrue();
    // The pretraining it finished stays, for --resume to evaluate without training again.
    Path checkpoint = work.resolve("checkpoint");
    JsonNode progress = RunFolder.read(checkpoint.resolve("progress.json"));
    assertThat(progress.path("epochsDone").asInt()).isEqualTo(2);
    Map<String, String> kept = RunFolder.hashes(checkpoint);

    Files.delete(work.resolve("fine-tune"));
    Map<String, JsonNode> after = resumeFromKept(suite, out, checkpoint, kept);
    assertThat(after.get("brightness seed 1")).isEqualTo(entries.get("brightness seed 1"));
    JsonNode second = after.get("second seed 1");
    assertThat(second.path("status").asText()).isEqualTo("ok");
    assertThat(second.path("stepLosses")).isEqualTo(progress.path("stepLosses"));
    assertThat(second.path("metrics").path(FineTune.key(0.5)).path("top1").isNumber()).isTrue();
    assertThat(out.resolve("work")).doesNotExist();
  }

  @Test
  void runningOutOfMemoryStopsTheRunWithItsOwnCodeAndWhatToDoKeepingWhatItFinished() throws Exception {
    Path suite = suite("memory", "brightness, { type = brightness, name = second, hook = \"" + hook + "\" }");
    Path out = dir.resolve("out");
    AtomicReference<byte[]> resultsThen = new AtomicReference<>();
    // JavaCPP's refusal as it words it, thrown where the second method starts to allocate.
    FakePlugins.HOOKS.put(hook, () -> {
      try {
        resultsThen.set(Files.readAllBytes(out.resolve("results.json")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new OutOfMemoryError("Physical memory usage is too high: physicalBytes (12G) > maxPhysicalBytes (12G)");
    });

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OUT_OF_MEMORY);
    assertThat(r.err()).contains("error: out of memory: Physical memory usage is too high: physicalBytes (12G) >"
        + " maxPhysicalBytes (12G). Finished entries and checkpoints are kept: free memory (another run?) or raise"
        + " PRETEXT_MAXRSS / PRETEXT_HEAP, then run again with --resume")
        .doesNotContain("internal error").doesNotContain("\tat ");
    assertThat(Files.readAllBytes(out.resolve("results.json"))).isEqualTo(resultsThen.get());
    assertThat(RunFolder.entries(out)).containsOnlyKeys("brightness seed 1");
    assertThat(RunFolder.temporaries(out)).isEmpty();
  }

  private static Map<String, JsonNode> entriesOf(Path out) {
    try {
      return RunFolder.entries(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the suite again with {@code --resume}: it must exit 0 and find the method's checkpoint as
   * it was kept when the hooked method starts again. Returns the entries it leaves.
   */
  private Map<String, JsonNode> resumeFromKept(Path suite, Path out, Path checkpoint, Map<String, String> kept)
      throws Exception {
    AtomicReference<Map<String, String>> whenResumed = new AtomicReference<>();
    FakePlugins.HOOKS.put(hook, () -> whenResumed.set(hashesOf(checkpoint)));
    CliCapture.Result resumed = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(), "--resume");

    assertThat(resumed.code()).as(resumed.err()).isEqualTo(ExitCodes.OK);
    assertThat(whenResumed.get()).isEqualTo(kept).isNotEmpty();
    return RunFolder.entries(out);
  }

  private static Map<String, String> hashesOf(Path dir) {
    try {
      return RunFolder.hashes(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
