package dev.pretext.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProbeConvergenceTest {

  @TempDir Path dir;

  @Test
  void theExactProbeIsTheSameWhateverTheEpochCount() throws Exception {
    Path out = dir.resolve("p.json");
    int code = new CommandLine(new ProbeConvergence()).execute("--entries", "raw-pixels", "--data", "embedded",
        "--epochs", "1,5", "--min-steps", "0", "--l2", "0.01", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode results = new ObjectMapper().readTree(out.toFile()).path("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(0).path("epochs").asInt()).isEqualTo(1);
    assertThat(results.get(1).path("top1").asDouble()).isEqualTo(results.get(0).path("top1").asDouble());
    assertThat(results.get(0).path("iterations").asInt()).isPositive();
  }

  @Test
  void withAValidationSplitTheChosenL2IsRecorded() throws Exception {
    Path out = dir.resolve("v.json");
    int code = new CommandLine(new ProbeConvergence()).execute("--entries", "raw-pixels", "--data", "embedded",
        "--epochs", "4", "--min-steps", "0", "--l2-candidates", "0.00001,0.01", "--validation-fraction", "0.1",
        "--min-validation-images", "100", "--validation-checks", "4", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode row = new ObjectMapper().readTree(out.toFile()).path("results").get(0);
    assertThat(row.path("l2").asDouble()).isIn(0.00001, 0.01);
    assertThat(row.path("iterations").asInt()).isPositive();
    assertThat(row.path("validation_top1").asDouble()).isBetween(0.5, 1.0);
  }

  @Test
  void anEntryWithoutItsRunFolderIsABadArgument() {
    int code = new CommandLine(new ProbeConvergence()).execute("--entries", "simclr:1", "--data", "embedded",
        "--out", dir.resolve("q.json").toString());
    assertThat(code).isEqualTo(2);
  }
}
