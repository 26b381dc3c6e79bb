package dev.pretext.runtime.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Chooses the native ND4J build before ND4J loads. {@code PRETEXT_BACKEND} (or the system property
 * {@code pretext.backend}) selects {@code plain} (the host's OpenBLAS build) or
 * {@code onednn-avx2}; {@code auto} (the default) takes the plain build, which measured faster for
 * this project's training step on a 2-core AVX2 machine (see benchmarks-suite/README.md).
 */
public final class Backend {

  private static final String EXTENSION_PROPERTY = "javacpp.platform.extension";

  private Backend() {}

  /** Applies the choice; must run before the first ND4J call. Returns a description for reports. */
  public static synchronized String configure() {
    String choice = System.getProperty("pretext.backend",
        System.getenv().getOrDefault("PRETEXT_BACKEND", "auto")).toLowerCase(Locale.ROOT);
    if (System.getProperty(EXTENSION_PROPERTY) != null) {
      return describe();
    }
    if (choice.equals("onednn-avx2")) {
      if (!hasAvx2()) {
        throw new IllegalStateException("PRETEXT_BACKEND=onednn-avx2 but this CPU lacks AVX2");
      }
      System.setProperty(EXTENSION_PROPERTY, "-onednn-avx2");
    } else if (!choice.equals("plain") && !choice.equals("auto")) {
      throw new IllegalStateException(
          "PRETEXT_BACKEND must be auto, plain or onednn-avx2, got '" + choice + "'");
    }
    return describe();
  }

  /** The native build in use, e.g. {@code cpu linux-x86_64-onednn-avx2}. */
  public static String describe() {
    String ext = System.getProperty(EXTENSION_PROPERTY, "");
    return "cpu " + System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + "-"
        + System.getProperty("os.arch", "?") + ext;
  }

  static boolean hasAvx2() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx2");
    } catch (IOException e) {
      return false;
    }
  }
}
