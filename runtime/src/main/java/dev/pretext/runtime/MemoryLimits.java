package dev.pretext.runtime;

import java.util.Locale;

/**
 * The memory limits a run has: the Java heap, the ND4J arrays JavaCPP tracks and the resident
 * ceiling at which JavaCPP refuses to allocate, as the launcher set them (from the machine's
 * memory unless {@code PRETEXT_HEAP}, {@code PRETEXT_OFFHEAP}, {@code PRETEXT_MAXRSS} said
 * otherwise), printed at the start of a run so a reader of the log knows them.
 */
final class MemoryLimits {

  private MemoryLimits() {}

  /** One line, e.g. {@code Memory: heap 4.0 GB, tracked arrays 3.0 GB, resident ceiling 12.0 GB (machine: 24105 MB (MemTotal))}. */
  static String describe() {
    String tracked = System.getProperty("org.bytedeco.javacpp.maxbytes", "unset");
    String ceiling = System.getProperty("org.bytedeco.javacpp.maxphysicalbytes", "unset");
    String machine = System.getProperty("pretext.memory");
    return String.format(Locale.ROOT, "Memory: heap %.1f GB, tracked arrays %s, resident ceiling %s%s",
        Runtime.getRuntime().maxMemory() / 1073741824.0, tracked, ceiling,
        machine == null ? "" : " (from the machine's " + machine + "; PRETEXT_HEAP, PRETEXT_OFFHEAP,"
            + " PRETEXT_MAXRSS override)");
  }
}
