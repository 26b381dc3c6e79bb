package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CUDA pre-check on fake machines laid out in a folder: no GPU needed. */
class CudaCheckTest {

  @TempDir Path root;

  @Test
  void aMachineWithoutGpuGetsOneMessageNamingEachMissingPieceAndTheCpuWayOut() throws IOException {
    mkdirs("/dev", "/usr/lib/x86_64-linux-gnu");
    touch("/dev/null", "/dev/nvidiactl-not-a-device", "/usr/lib/x86_64-linux-gnu/libc.so.6");

    CudaCheck.Report report = new CudaCheck(root, null, null).run();

    assertThat(report.ok()).isFalse();
    String message = report.message(false);
    assertThat(message)
        .contains("nd4j-cuda-11.6")
        .contains("1. a CUDA device (/dev/nvidia0, /dev/nvidia1, ... or "
            + "/proc/driver/nvidia/gpus): none")
        .contains("2. the NVIDIA driver's library libcuda.so.1: not found")
        .contains("libcudart.so.11.0, libcublas.so.11, libcublasLt.so.11, libcusolver.so.11: "
            + "none found")
        .contains("(libraries searched in /usr/lib/x86_64-linux-gnu, /usr/lib)")
        .contains("docker run --gpus all")
        .contains("Install CUDA 11.6")
        .contains("use the CPU distribution: build it with ./mvnw -DskipTests package "
            + "(without -Pcuda)")
        .doesNotContain("PRETEXT_BACKEND=cpu");
  }

  @Test
  void whenTheCpuBuildIsThereTooTheWayOutIsPretextBackendCpu() {
    CudaCheck.Report report = new CudaCheck(root, null, null).run();

    assertThat(report.message(true)).endsWith("To run on the CPU instead: PRETEXT_BACKEND=cpu.")
        .doesNotContain("CPU distribution");
  }

  @Test
  void aMachineWithGpuDriverAndCudaPasses() throws IOException {
    mkdirs("/dev", "/proc/driver/nvidia/gpus/0000:01:00.0", "/usr/lib/x86_64-linux-gnu",
        "/usr/local/cuda-11.6/lib64");
    touch("/dev/nvidia0", "/dev/nvidiactl", "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
    for (String library : CudaCheck.RUNTIME_LIBRARIES) {
      touch("/usr/local/cuda-11.6/lib64/" + library);
    }

    CudaCheck.Report report = new CudaCheck(root, null, null).run();

    assertThat(report.ok()).isTrue();
    assertThat(report.devices())
        .containsExactly("/dev/nvidia0", "/proc/driver/nvidia/gpus/0000:01:00.0");
    assertThat(report.driver()).contains("/usr/lib/x86_64-linux-gnu/libcuda.so.1");
    assertThat(report.runtimeFound()).containsEntry("libcusolver.so.11",
        "/usr/local/cuda-11.6/lib64/libcusolver.so.11");
  }

  @Test
  void librariesAreFoundThroughTheLibraryPathsAndWhatIsMissingIsNamed() throws IOException {
    mkdirs("/dev", "/opt/cuda/lib64", "/opt/driver", "/etc/ld.so.conf.d", "/java/lib");
    touch("/dev/nvidia1", "/opt/driver/libcuda.so.1", "/opt/cuda/lib64/libcudart.so.11.0",
        "/java/lib/libcublas.so.11");
    Files.writeString(at("/etc/ld.so.conf.d/cuda.conf"), "# CUDA\n/opt/cuda/lib64\n");
    mkdirs("/proc/driver/nvidia");
    Files.writeString(at("/proc/driver/nvidia/version"),
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  510.47.03\n");

    CudaCheck.Report report =
        new CudaCheck(root, "/opt/driver:relative/ignored", "/java/lib").run();

    assertThat(report.ok()).isFalse();
    assertThat(report.searched()).containsExactly("/opt/driver", "/java/lib", "/opt/cuda/lib64");
    assertThat(report.runtimeMissing()).containsExactly("libcublasLt.so.11", "libcusolver.so.11");
    String message = report.message(false);
    assertThat(message)
        .contains("found /dev/nvidia1 (NVRM version: NVIDIA UNIX x86_64 Kernel Module  510.47.03)")
        .contains("libcuda.so.1: found /opt/driver/libcuda.so.1")
        .contains("found /opt/cuda/lib64/libcudart.so.11.0, /java/lib/libcublas.so.11; "
            + "missing libcublasLt.so.11, libcusolver.so.11")
        .contains("Install CUDA 11.6")
        .doesNotContain("docker");
  }

  private Path at(String absolute) {
    return root.resolve(absolute.substring(1));
  }

  private void mkdirs(String... folders) throws IOException {
    for (String folder : folders) {
      Files.createDirectories(at(folder));
    }
  }

  private void touch(String... files) throws IOException {
    for (String file : files) {
      Files.createDirectories(at(file).getParent());
      Files.createFile(at(file));
    }
  }
}
