package dev.pretext.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The peak it reports is the measured process's own: a program holding 300 MB reads above it, one holding little reads far below. */
class MemoryBenchmarkTest {

  private static MemoryBenchmark.Measurement holding(int megabytes) throws Exception {
    // python3 is on every machine the tests run on (the PyTorch reference needs it anyway).
    return MemoryBenchmark.measure(List.of("python3", "-c",
        "import time; b = bytearray(" + megabytes + " * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.6)"), 50);
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
  void passesTheExitCodeOn() throws Exception {
    assertThat(MemoryBenchmark.measure(List.of("sh", "-c", "exit 3"), 20).exitCode()).isEqualTo(3);
  }
}
