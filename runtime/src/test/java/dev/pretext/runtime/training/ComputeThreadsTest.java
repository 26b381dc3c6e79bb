package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ComputeThreadsTest {

  @AfterEach
  void backToTheTestsFixedCount() {
    String fixed = System.getenv().getOrDefault("PRETEXT_THREADS", "auto");
    ComputeThreads.set(fixed);
  }

  @Test
  void threadsFollowTheFreeCores() {
    assertThat(ComputeThreads.forFreeCores(2, 0.05)).isEqualTo(2);
    assertThat(ComputeThreads.forFreeCores(2, 0.4)).isEqualTo(2);
    assertThat(ComputeThreads.forFreeCores(2, 0.7)).isEqualTo(1);
    assertThat(ComputeThreads.forFreeCores(2, 1.0)).isEqualTo(1);
    assertThat(ComputeThreads.forFreeCores(2, 2.0)).as("never below one").isEqualTo(1);
    assertThat(ComputeThreads.forFreeCores(8, 3.0)).isEqualTo(5);
  }

  @Test
  void aBadSettingNamesWhereItCameFrom() {
    assertThat(ComputeThreads.parse(" Auto ", "x")).isZero();
    assertThat(ComputeThreads.parse("3", "x")).isEqualTo(3);
    assertThatThrownBy(() -> ComputeThreads.parse("two", "PRETEXT_THREADS"))
        .hasMessageContaining("PRETEXT_THREADS").hasMessageContaining("'two'");
    assertThatThrownBy(() -> ComputeThreads.parse("0", "suite.threads")).hasMessageContaining("suite.threads");
  }

  @Test
  void autoDropsToOneThreadBesideBusyProcessesAndAFixedCountStays() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    assumeTrue(cores >= 2 && new java.io.File("/proc/stat").canRead(), "needs 2+ cores and /proc");
    List<Process> spinners = new ArrayList<>();
    try {
      ComputeThreads.set("auto");
      for (int i = 0; i < cores; i++) {
        spinners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      }
      Thread.sleep(1500);
      assertThat(ComputeThreads.adjust()).as("every core busy with another process").isEqualTo(1);
      assertThat(ComputeThreads.adjust(1)).isEqualTo(1);
      ComputeThreads.set("2");
      Thread.sleep(1200);
      assertThat(ComputeThreads.adjust()).as("a fixed count ignores the load").isEqualTo(2);
      assertThat(ComputeThreads.adjust(1)).as("at most one for small work").isEqualTo(1);
    } finally {
      for (Process p : spinners) {
        p.destroyForcibly().waitFor();
      }
    }
  }
}
