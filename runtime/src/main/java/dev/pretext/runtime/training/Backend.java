package dev.pretext.runtime.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Chooses the ND4J build before ND4J loads. The distribution holds one backend: the CPU one
 * ({@code nd4j-native}, the default build) or the CUDA one ({@code nd4j-cuda-11.6}, built with
 * {@code -Pcuda}); the backend on the class path is what {@code auto}, the default, takes.
 * {@code PRETEXT_BACKEND} (or the system property {@code pretext.backend}) may name it: {@code cpu}
 * (or {@code plain}) and {@code onednn-avx2} for the CPU build, {@code cuda} for the GPU one.
 *
 * <p>The CUDA build first looks for a GPU, its driver and the CUDA 11.6 libraries
 * ({@link CudaCheck}) and stops with one message naming what is missing and how to run on the CPU
 * instead; {@code PRETEXT_CUDA_CHECK=off} skips that look and leaves it to ND4J (for libraries the
 * check cannot see, e.g. JavaCPP's CUDA redist jar added to lib/).
 *
 * <p>On the CPU build, JavaCPP loads the most specific native library on the class path, which is
 * the oneDNN AVX2 one whatever is chosen here (docs/architecture.md, "Backend").
 */
public final class Backend {

  private static final String EXTENSION_PROPERTY = "javacpp.platform.extension";
  private static final String CPU_BACKEND = "org/nd4j/linalg/cpu/nativecpu/CpuBackend.class";
  private static final String CUDA_BACKEND = "org/nd4j/linalg/jcublas/JCublasBackend.class";

  /** The ND4J builds a distribution can hold. */
  enum Build { CPU, CUDA }

  /** The build {@link #configure()} chose; null until it ran. */
  private static Build chosen;

  private Backend() {}

  /**
   * Applies the choice; must run before the first ND4J call. Returns a description for reports.
   *
   * @throws BackendUnavailableException when the chosen build cannot run here; its message is the
   *     whole story, to print as it is
   */
  public static synchronized String configure() {
    String choice = System.getProperty("pretext.backend",
        System.getenv().getOrDefault("PRETEXT_BACKEND", "auto")).toLowerCase(Locale.ROOT).strip();
    boolean checkCuda = !"off".equalsIgnoreCase(System.getProperty("pretext.cuda.check",
        System.getenv().getOrDefault("PRETEXT_CUDA_CHECK", "on")));
    chosen = choose(choice, onClassPath(CPU_BACKEND), onClassPath(CUDA_BACKEND), Backend::hasAvx2,
        () -> checkCuda ? CudaCheck.ofThisMachine().run() : null);
    if (chosen == Build.CPU && choice.equals("onednn-avx2")
        && System.getProperty(EXTENSION_PROPERTY) == null) {
      System.setProperty(EXTENSION_PROPERTY, "-onednn-avx2");
    }
    return describe();
  }

  /**
   * The decision, with the machine's facts passed in.
   *
   * @param cudaCheck looks for the GPU and CUDA's libraries; returns null when the look is skipped
   */
  static Build choose(String choice, boolean cpuPresent, boolean cudaPresent,
      BooleanSupplier avx2, Supplier<CudaCheck.Report> cudaCheck) {
    switch (choice) {
      case "auto" -> {
        if (cpuPresent) {
          return Build.CPU;
        }
        if (cudaPresent) {
          return cuda(false, cudaCheck);
        }
        throw new BackendUnavailableException("no ND4J backend on the class path: lib/ holds "
            + "neither nd4j-native (the CPU build) nor nd4j-cuda-11.6 (the -Pcuda build); "
            + "rebuild the distribution with ./mvnw -DskipTests package.");
      }
      case "cpu", "plain", "onednn-avx2" -> {
        if (!cpuPresent) {
          throw new BackendUnavailableException("PRETEXT_BACKEND=" + choice + ", but this "
              + "distribution holds only the CUDA backend (it was built with -Pcuda). To run on "
              + "the CPU, use the CPU distribution: build it with ./mvnw -DskipTests package "
              + "(without -Pcuda) and run its bin/pretext.");
        }
        if (choice.equals("onednn-avx2") && !avx2.getAsBoolean()) {
          throw new BackendUnavailableException("PRETEXT_BACKEND=onednn-avx2, but this CPU lacks "
              + "AVX2; use PRETEXT_BACKEND=cpu.");
        }
        return Build.CPU;
      }
      case "cuda" -> {
        if (!cudaPresent) {
          throw new BackendUnavailableException("PRETEXT_BACKEND=cuda, but this distribution "
              + "has no CUDA backend (nd4j-cuda-11.6 is not in lib/): it is the CPU build. Build "
              + "the GPU distribution with ./mvnw -Pcuda -DskipTests package, or unset "
              + "PRETEXT_BACKEND to run on the CPU.");
        }
        return cuda(cpuPresent, cudaCheck);
      }
      default -> throw new IllegalArgumentException(
          "PRETEXT_BACKEND must be auto, cpu, plain, onednn-avx2 or cuda, got '" + choice + "'");
    }
  }

  private static Build cuda(boolean cpuPresent, Supplier<CudaCheck.Report> cudaCheck) {
    CudaCheck.Report report = cudaCheck.get();
    if (report != null && !report.ok()) {
      throw new BackendUnavailableException(report.message(cpuPresent));
    }
    return Build.CUDA;
  }

  /**
   * The native build in use, e.g. {@code cpu linux-amd64-onednn-avx2} or
   * {@code cuda-11.6 linux-amd64}.
   */
  public static synchronized String describe() {
    String platform = System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + "-"
        + System.getProperty("os.arch", "?");
    Build build = chosen != null ? chosen
        : !onClassPath(CPU_BACKEND) && onClassPath(CUDA_BACKEND) ? Build.CUDA : Build.CPU;
    if (build == Build.CUDA) {
      return "cuda-11.6 " + platform;
    }
    return "cpu " + platform + System.getProperty(EXTENSION_PROPERTY, "");
  }

  private static boolean onClassPath(String resource) {
    return Backend.class.getClassLoader().getResource(resource) != null;
  }

  static boolean hasAvx2() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx2");
    } catch (IOException e) {
      return false;
    }
  }
}
