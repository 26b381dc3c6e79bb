package dev.pretext.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The launcher's backend choice, end to end. Under {@code -Pcuda} the distribution holds the CUDA
 * build: on a machine without a GPU (CI's) it must stop with the one message and exit code 7. The
 * CPU distribution must refuse {@code PRETEXT_BACKEND=cuda} the same way.
 */
class CudaDistributionIT {

  private static final Path DIST =
      Path.of(System.getProperty("pretext.distribution", "target/pretext"));

  record Result(int exitCode, String out) {}

  @Test
  void theCudaBuildOnAMachineWithoutGpuSaysWhatItLookedForAndHowToRunOnCpu() throws Exception {
    assumeTrue(holds("nd4j-cuda-11.6-"), "not the -Pcuda distribution");
    assumeFalse(Files.exists(Path.of("/dev/nvidia0")), "this machine has a GPU");

    Result result = launch(Map.of(), "--version");

    assertThat(result.exitCode()).as(result.out()).isEqualTo(7);
    assertThat(result.out())
        .startsWith("error: the CUDA backend cannot start on this machine.")
        .contains("1. a CUDA device (/dev/nvidia0, /dev/nvidia1, ... or "
            + "/proc/driver/nvidia/gpus): none")
        .contains("2. the NVIDIA driver's library libcuda.so.1: ")
        .contains("3. the CUDA 11.6 runtime libraries libcudart.so.11.0")
        .contains("To run on the CPU instead, use the CPU distribution: build it with "
            + "./mvnw -DskipTests package (without -Pcuda) and run its bin/pretext.")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(launch(Map.of("PRETEXT_BACKEND", "cpu"), "--version").out())
        .contains("PRETEXT_BACKEND=cpu, but this distribution holds only the CUDA backend");
  }

  @Test
  void theCpuBuildRefusesCudaAndSaysHowToBuildIt() throws Exception {
    assumeTrue(holds("nd4j-native-1"), "not the CPU distribution");

    Result result = launch(Map.of("PRETEXT_BACKEND", "cuda"), "--version");

    assertThat(result.exitCode()).as(result.out()).isEqualTo(7);
    assertThat(result.out().strip()).isEqualTo("error: PRETEXT_BACKEND=cuda, but this distribution "
        + "has no CUDA backend (nd4j-cuda-11.6 is not in lib/): it is the CPU build. Build the GPU "
        + "distribution with ./mvnw -Pcuda -DskipTests package, or unset PRETEXT_BACKEND to run "
        + "on the CPU.");
  }

  private static boolean holds(String jarPrefix) throws IOException {
    try (Stream<Path> jars = Files.list(DIST.resolve("lib"))) {
      return jars.anyMatch(p -> p.getFileName().toString().startsWith(jarPrefix));
    }
  }

  private static Result launch(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DIST.resolve("bin/pretext").toString()));
    command.addAll(List.of(args));
    ProcessBuilder launcher = new ProcessBuilder(command).redirectErrorStream(true);
    launcher.environment().keySet().removeAll(List.of("PRETEXT_BACKEND", "PRETEXT_CUDA_CHECK"));
    launcher.environment().putAll(environment);
    Process p = launcher.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }
}
