package dev.pretext.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the benchmark once, tiny, so it cannot rot; its numbers are not checked here. */
class ThroughputBenchmarkTest {

  @TempDir Path dir;

  @Test
  void writesOneResultPerMethod() throws Exception {
    Path out = dir.resolve("t.json");
    int code = new CommandLine(new ThroughputBenchmark()).execute("--methods", "rotation", "--batch", "16",
        "--warmup", "1", "--steps", "2", "--encoder", "channels = [4, 8]", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.path("results")).hasSize(1);
    assertThat(json.path("results").get(0).path("method").asText()).isEqualTo("rotation");
    assertThat(json.path("results").get(0).path("images_per_second").asDouble()).isPositive();
  }

  @Test
  void measuresAnotherEncoderType() throws Exception {
    Path out = dir.resolve("resnet.json");
    int code = new CommandLine(new ThroughputBenchmark()).execute("--methods", "rotation", "--batch", "8",
        "--warmup", "0", "--steps", "1", "--encoder-type", "resnet20", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.path("encoder").asText()).isEqualTo("resnet20");
    assertThat(json.path("results").get(0).path("images_per_second").asDouble()).isPositive();
  }

  @Test
  void feedsColourImagesToMethodsThatNeedThem() throws Exception {
    Path out = dir.resolve("rgb.json");
    int code = new CommandLine(new ThroughputBenchmark()).execute("--methods", "colorization", "--rgb",
        "--batch", "16", "--warmup", "1", "--steps", "2", "--encoder", "channels = [4, 8]", "--out", out.toString());
    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.path("input").asText()).isEqualTo("3x28x28");
    assertThat(json.path("results").get(0).path("method").asText()).isEqualTo("colorization");
  }

  @Test
  void profileNamesTheOpsTheStepSpendsItsTimeIn() throws Exception {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = System.out;
    System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new ThroughputBenchmark()).execute("--methods", "rotation", "--profile",
          "--batch", "16", "--warmup", "1", "--steps", "2", "--encoder", "channels = [4, 8]",
          "--out", dir.resolve("p.json").toString());
    } finally {
      System.setOut(out);
    }
    assertThat(code).isZero();
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("Op time per op class of rotation").contains("conv2d_bp").contains("batchnorm");
  }
}
