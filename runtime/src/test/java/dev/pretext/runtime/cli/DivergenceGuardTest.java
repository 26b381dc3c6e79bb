package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The divergence guard end to end: {@code pretext run} on a suite with a method whose loss turns
 * NaN at a chosen step ({@code brightness} with {@code explode-at-step}, from the test-only plugin
 * on the class path) and a normal one. No shipped method reaches NaN under the learning-rate cap,
 * so only a test plugin exercises the promise: the NaN method fails with its message, the other
 * finishes, the run exits 4.
 */
class DivergenceGuardTest {

  @TempDir Path dir;

  @Test
  void aMethodWhoseLossTurnsNanFailsWithItsMessageTheOtherFinishesAndTheRunExits4() throws Exception {
    Path suite = Files.writeString(dir.resolve("nan.conf"), """
        suite {
          name = nan
          data { train-limit = 200, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 50 }
          methods = [
            { type = brightness, name = diverges, explode-at-step = 5 }
            { type = brightness, name = steady }
          ]
          baselines = [raw-pixels]
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
        }
        """);
    Path out = dir.resolve("out");

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.TRAINING_FAILED);
    assertThat(r.err()).contains("!! diverges failed: loss of 'diverges' became NaN at step 5; try a lower"
        + " learning-rate").doesNotContain("internal error").doesNotContain("\tat ");
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    Map<String, JsonNode> entries = new HashMap<>();
    json.path("entries").forEach(e -> entries.put(e.path("name").asText(), e));
    assertThat(entries).containsOnlyKeys("raw-pixels", "diverges", "steady");
    assertThat(entries.get("diverges").path("status").asText()).isEqualTo("failed");
    assertThat(entries.get("diverges").path("reason").asText()).startsWith("loss of 'diverges' became NaN at step 5");
    assertThat(entries.get("steady").path("status").asText()).isEqualTo("ok");
    assertThat(entries.get("steady").path("steps").asLong()).isEqualTo(8);
    assertThat(entries.get("steady").path("metrics").path("linear_probe").path("top1").asDouble()).isPositive();
    assertThat(r.out()).contains("| steady | method | 1/1 |").contains("| diverges | method | 0/1 |");
    // The finished method's checkpoint is gone; the failed one keeps its last epoch for --resume.
    assertThat(out.resolve("work/steady-seed1")).doesNotExist();
    assertThat(out.resolve("work/diverges-seed1/checkpoint/progress.json")).exists();

    // Beside the kept checkpoint, what it was trained with: resuming it with other code is refused.
    Path kept = out.resolve("work/diverges-seed1/provenance.json");
    JsonNode provenance = new ObjectMapper().readTree(kept.toFile());
    String sha = provenance.path("components").get(1).path("sha256").asText();
    assertThat(provenance.path("components").get(1).path("plugin").asText()).isEqualTo("test-fakes");
    Files.writeString(kept, Files.readString(kept).replace(sha, "0".repeat(64)));
    CliCapture.Result resumed = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(), "--resume");
    assertThat(resumed.code()).as(resumed.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(resumed.err()).contains("the checkpoint of 'diverges' (seed 1) in " + kept.getParent()
        + " was produced by plugin test-fakes 1.0 from ").contains("(SHA-256 " + "0".repeat(64) + ")")
        .contains("(SHA-256 " + sha + ")");
  }
}
