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
  void anUndertrainedProbeScoresBelowALongerOne() throws Exception {
    Path out = dir.resolve("p.json");
    int code = new CommandLine(new ProbeConvergence()).execute("--entries", "raw-pixels", "--data", "embedded",
        "--epochs", "1,5", "--min-steps", "0", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode results = new ObjectMapper().readTree(out.toFile()).path("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(0).path("epochs").asInt()).isEqualTo(1);
    assertThat(results.get(1).path("top1").asDouble()).isGreaterThan(results.get(0).path("top1").asDouble() + 0.02);
  }

  @Test
  void anEntryWithoutItsRunFolderIsABadArgument() {
    int code = new CommandLine(new ProbeConvergence()).execute("--entries", "simclr:1", "--data", "embedded",
        "--out", dir.resolve("q.json").toString());
    assertThat(code).isEqualTo(2);
  }
}
