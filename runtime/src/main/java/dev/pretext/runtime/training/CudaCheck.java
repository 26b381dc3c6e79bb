package dev.pretext.runtime.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks, before ND4J loads, for what the CUDA build needs: a CUDA device, the NVIDIA driver's
 * {@code libcuda.so.1} and the CUDA 11.6 libraries that {@code nd4j-cuda-11.6} links against.
 * Without this, a machine lacking one of them gets ND4J's "no backend" stack trace (its
 * JCublasBackend reports nothing, and slf4j-nop swallows the reason). Everything is read below {@code root}, so
 * tests lay out a fake machine in a folder.
 */
final class CudaCheck {

  /** The driver library; it comes with the NVIDIA driver, not with the CUDA toolkit. */
  static final String DRIVER_LIBRARY = "libcuda.so.1";
  /**
   * What nd4j-cuda-11.6 and JavaCPP's CUDA preset load at start-up (readelf -d of libnd4jcuda.so,
   * libjnicudart.so and libjnicublas.so). cuDNN is not among them.
   */
  static final List<String> RUNTIME_LIBRARIES =
      List.of("libcudart.so.11.0", "libcublas.so.11", "libcublasLt.so.11", "libcusolver.so.11");
  /**
   * Where the dynamic linker and JavaCPP look besides LD_LIBRARY_PATH, java.library.path and
   * /etc/ld.so.conf.d: the distribution folders, libnd4jcuda.so's RUNPATH, the CUDA installer's
   * default, WSL's and the NVIDIA container toolkit's folders.
   */
  static final List<String> STANDARD_FOLDERS = List.of("/lib/x86_64-linux-gnu",
      "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
      "/usr/local/cuda-11.6/lib64", "/usr/local/cuda/lib64", "/usr/lib/wsl/lib",
      "/usr/local/nvidia/lib64");

  private static final Pattern DEVICE = Pattern.compile("nvidia[0-9]+");

  private final Path root;
  private final String ldLibraryPath;
  private final String javaLibraryPath;

  /**
   * @param root the file system's root ({@code /} on a real machine)
   * @param ldLibraryPath the LD_LIBRARY_PATH environment variable, or null
   * @param javaLibraryPath the java.library.path system property, or null
   */
  CudaCheck(Path root, String ldLibraryPath, String javaLibraryPath) {
    this.root = root;
    this.ldLibraryPath = ldLibraryPath;
    this.javaLibraryPath = javaLibraryPath;
  }

  /** This machine, as the JVM sees it. */
  static CudaCheck ofThisMachine() {
    return new CudaCheck(Path.of("/"), System.getenv("LD_LIBRARY_PATH"),
        System.getProperty("java.library.path"));
  }

  /** What was found. */
  record Report(List<String> devices, Optional<String> driverVersion, Optional<String> driver,
      Map<String, String> runtimeFound, List<String> runtimeMissing, List<String> searched) {

    boolean ok() {
      return !devices.isEmpty() && driver.isPresent() && runtimeMissing.isEmpty();
    }

    /**
     * The whole story in one message: what the build needs, what was looked for and found, and
     * how to run on the CPU instead ({@code PRETEXT_BACKEND=cpu} when a CPU build is on the class
     * path too, otherwise the CPU distribution).
     */
    String message(boolean cpuBuildPresent) {
      StringBuilder m = new StringBuilder();
      m.append("the CUDA backend cannot start on this machine. This distribution runs ND4J's ")
          .append("nd4j-cuda-11.6 build, which needs an NVIDIA GPU, its driver and the CUDA 11.6 ")
          .append("libraries. Looked for:\n");
      m.append("  1. a CUDA device (/dev/nvidia0, /dev/nvidia1, ... or /proc/driver/nvidia/gpus): ")
          .append(devices.isEmpty() ? "none" : "found " + String.join(", ", devices))
          .append(driverVersion.map(v -> " (" + v + ")").orElse("")).append('\n');
      m.append("  2. the NVIDIA driver's library ").append(DRIVER_LIBRARY).append(": ")
          .append(driver.map(d -> "found " + d).orElse("not found")).append('\n');
      m.append("  3. the CUDA 11.6 runtime libraries ").append(String.join(", ", RUNTIME_LIBRARIES))
          .append(": ");
      if (runtimeFound.isEmpty()) {
        m.append("none found");
      } else {
        List<String> found = new ArrayList<>();
        runtimeFound.forEach((name, where) -> found.add(where));
        m.append("found ").append(String.join(", ", found));
        if (!runtimeMissing.isEmpty()) {
          m.append("; missing ").append(String.join(", ", runtimeMissing));
        }
      }
      m.append('\n');
      m.append("  (libraries searched in ")
          .append(searched.isEmpty() ? "no existing folder" : String.join(", ", searched))
          .append(")\n");
      List<String> remedies = new ArrayList<>();
      if (devices.isEmpty() || driver.isEmpty()) {
        remedies.add("A GPU needs the NVIDIA driver installed and, in a container, passed through "
            + "(e.g. docker run --gpus all).");
      }
      if (!runtimeMissing.isEmpty()) {
        remedies.add("Install CUDA 11.6 and put its lib64 folder on LD_LIBRARY_PATH.");
      }
      m.append(String.join(" ", remedies)).append('\n');
      if (cpuBuildPresent) {
        m.append("To run on the CPU instead: PRETEXT_BACKEND=cpu.");
      } else {
        m.append("To run on the CPU instead, use the CPU distribution: build it with ")
            .append("./mvnw -DskipTests package (without -Pcuda) and run its bin/pretext.");
      }
      return m.toString();
    }
  }

  /** Looks; never throws (an unreadable folder counts as one that holds nothing). */
  Report run() {
    List<String> devices = devices();
    Optional<String> driverVersion = firstLine(at("/proc/driver/nvidia/version"));
    List<String> searched = new ArrayList<>();
    for (String folder : libraryFolders()) {
      if (Files.isDirectory(at(folder))) {
        searched.add(folder);
      }
    }
    Optional<String> driver = find(DRIVER_LIBRARY, searched);
    Map<String, String> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String library : RUNTIME_LIBRARIES) {
      find(library, searched).ifPresentOrElse(where -> found.put(library, where),
          () -> missing.add(library));
    }
    return new Report(devices, driverVersion, driver, found, missing, searched);
  }

  private List<String> devices() {
    List<String> devices = new ArrayList<>();
    for (String name : names(at("/dev"))) {
      if (DEVICE.matcher(name).matches()) {
        devices.add("/dev/" + name);
      }
    }
    for (String name : names(at("/proc/driver/nvidia/gpus"))) {
      devices.add("/proc/driver/nvidia/gpus/" + name);
    }
    return devices;
  }

  /** Folder names as the machine spells them, in the dynamic linker's order, without repeats. */
  private List<String> libraryFolders() {
    Set<String> folders = new LinkedHashSet<>();
    addPath(folders, ldLibraryPath);
    addPath(folders, javaLibraryPath);
    for (String conf : names(at("/etc/ld.so.conf.d"))) {
      if (conf.endsWith(".conf")) {
        for (String line : lines(at("/etc/ld.so.conf.d/" + conf))) {
          String folder = line.strip();
          if (folder.startsWith("/")) {
            folders.add(folder);
          }
        }
      }
    }
    folders.addAll(STANDARD_FOLDERS);
    return List.copyOf(folders);
  }

  private static void addPath(Set<String> folders, String path) {
    if (path != null) {
      for (String folder : path.split(":")) {
        if (folder.startsWith("/")) {
          folders.add(folder);
        }
      }
    }
  }

  private Optional<String> find(String library, List<String> folders) {
    for (String folder : folders) {
      if (Files.exists(at(folder).resolve(library))) {
        return Optional.of(folder.replaceAll("/+$", "") + "/" + library);
      }
    }
    return Optional.empty();
  }

  private Path at(String absolute) {
    return root.resolve(absolute.replaceFirst("^/+", ""));
  }

  private static List<String> names(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }

  private static Optional<String> firstLine(Path file) {
    return lines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
  }
}
