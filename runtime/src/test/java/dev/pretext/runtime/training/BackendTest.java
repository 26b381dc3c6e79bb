package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.training.Backend.Build;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend's decision with the class path's builds and the CUDA check injected. */
class BackendTest {

  @TempDir Path emptyMachine;

  private final Supplier<CudaCheck.Report> gpuPresent = () -> {
    throw new AssertionError("only the CUDA build looks for a GPU");
  };

  private Supplier<CudaCheck.Report> noGpu() {
    return () -> new CudaCheck(emptyMachine, null, null).run();
  }

  @Test
  void autoTakesTheBuildOnTheClassPath() {
    assertThat(Backend.choose("auto", true, false, () -> true, gpuPresent)).isEqualTo(Build.CPU);
    assertThat(Backend.choose("auto", false, true, () -> true, () -> null)).isEqualTo(Build.CUDA);
  }

  @Test
  void theCudaDistributionWithoutGpuStopsWithTheCheckMessage() {
    assertThatThrownBy(() -> Backend.choose("auto", false, true, () -> true, noGpu()))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("libcuda.so.1: not found")
        .hasMessageContaining("use the CPU distribution");
    assertThatThrownBy(() -> Backend.choose("cuda", false, true, () -> true, noGpu()))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("a CUDA device");
  }

  @Test
  void cudaWithBothBuildsPointsToPretextBackendCpu() {
    assertThatThrownBy(() -> Backend.choose("cuda", true, true, () -> true, noGpu()))
        .hasMessageEndingWith("To run on the CPU instead: PRETEXT_BACKEND=cpu.");
  }

  @Test
  void cudaOnTheCpuDistributionSaysHowToBuildTheGpuOne() {
    assertThatThrownBy(() -> Backend.choose("cuda", true, false, () -> true, gpuPresent))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("PRETEXT_BACKEND=cuda, but this distribution has no CUDA backend "
            + "(nd4j-cuda-11.6 is not in lib/): it is the CPU build. Build the GPU distribution "
            + "with ./mvnw -Pcuda -DskipTests package, or unset PRETEXT_BACKEND to run on the "
            + "CPU.");
  }

  @Test
  void cpuChoicesOnTheCudaDistributionPointToTheCpuDistribution() {
    for (String choice : new String[] {"cpu", "plain", "onednn-avx2"}) {
      assertThatThrownBy(() -> Backend.choose(choice, false, true, () -> true, gpuPresent))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("PRETEXT_BACKEND=" + choice + ", but this distribution holds "
              + "only the CUDA backend")
          .hasMessageContaining("./mvnw -DskipTests package (without -Pcuda)");
    }
  }

  @Test
  void cpuChoicesOnTheCpuDistribution() {
    assertThat(Backend.choose("cpu", true, false, () -> true, gpuPresent)).isEqualTo(Build.CPU);
    assertThat(Backend.choose("plain", true, false, () -> false, gpuPresent)).isEqualTo(Build.CPU);
    assertThat(Backend.choose("onednn-avx2", true, false, () -> true, gpuPresent))
        .isEqualTo(Build.CPU);
    assertThatThrownBy(() -> Backend.choose("onednn-avx2", true, false, () -> false, gpuPresent))
        .hasMessageContaining("lacks AVX2");
  }

  @Test
  void anUnknownChoiceIsABadSetting() {
    assertThatThrownBy(() -> Backend.choose("gpu", true, false, () -> true, gpuPresent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PRETEXT_BACKEND must be auto, cpu, plain, onednn-avx2 or cuda, got 'gpu'");
  }

  @Test
  void nothingOnTheClassPath() {
    assertThatThrownBy(() -> Backend.choose("auto", false, false, () -> true, gpuPresent))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no ND4J backend on the class path");
  }

  @Test
  void theTestClassPathIsTheCpuBuild() {
    assertThat(Backend.describe()).startsWith("cpu ");
  }
}
