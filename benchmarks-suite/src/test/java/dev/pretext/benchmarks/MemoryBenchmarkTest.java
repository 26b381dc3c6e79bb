package dev.pretext.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peak it reports is the measured process's own: a program holding 300 MB reads above it, one
 * holding little reads far below; and it is compared with the ceiling the run's log states.
 */
class MemoryBenchmarkTest {

  @TempDir Path dir;

  private static String hold(int megabytes) {
    return "import time; b = bytearray(" + megabytes + " * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.6)";
  }

  private static MemoryBenchmark.Measurement holding(int megabytes) throws Exception {
    // python3 is on every machine the tests run on (the PyTorch reference needs it anyway).
    return MemoryBenchmark.measure(List.of("python3", "-c", hold(megabytes)), 50);
  }

  /** A stand-in for a run: prints a run's Memory line with the given ceiling, then holds memory. */
  private static List<String> runWithCeiling(int ceilingMb, int holdingMb) {
    return List.of("-c", "echo 'Memory: resident ceiling " + ceilingMb + " MB for this run (2560 MB + 8 x 21 MB"
        + " of decoded images)' >&2; exec python3 -c \"" + hold(holdingMb) + "\"");
  }

  @Test
  void reportsThePeakResidentMemoryOfTheProcessItRan() throws Exception {
    MemoryBenchmark.Measurement big = holding(300);
    MemoryBenchmark.Measurement small = holding(10);
    assertThat(big.exitCode()).isZero();
    assertThat(big.peakResidentBytes()).isGreaterThan(300L << 20).isLessThan(600L << 20);
    assertThat(small.peakResidentBytes()).isLessThan(100L << 20).isPositive();
    assertThat(big.wallSeconds()).isGreaterThan(0.5);
  }

  @Test
  void comparesThePeakWithTheCeilingTheRunPrintedAndFailsAboveIt() throws Exception {
    MemoryBenchmark above = new MemoryBenchmark();
    above.launcher = "sh";
    above.arguments = runWithCeiling(200, 300);
    above.intervalMillis = 50;
    above.out = dir.resolve("above.json");
    assertThat(above.call()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(above.out.toFile());
    assertThat(json.path("ceiling_mb").asLong()).isEqualTo(200);
    assertThat(json.path("within_ceiling").asBoolean()).isFalse();
    assertThat(json.path("peak_rss_mb").asDouble()).isGreaterThan(300);
    assertThat(json.path("exit_code").asInt()).isZero();

    MemoryBenchmark within = new MemoryBenchmark();
    within.launcher = "sh";
    within.arguments = runWithCeiling(200, 10);
    within.intervalMillis = 50;
    within.out = dir.resolve("within.json");
    assertThat(within.call()).isZero();
    assertThat(new ObjectMapper().readTree(within.out.toFile()).path("within_ceiling").asBoolean()).isTrue();

    // A program that prints no ceiling is measured all the same.
    assertThat(holding(10).ceilingBytes()).isNull();
  }

  @Test
  void passesTheExitCodeOn() throws Exception {
    assertThat(MemoryBenchmark.measure(List.of("sh", "-c", "exit 3"), 20).exitCode()).isEqualTo(3);
  }
}
