package dev.pretext.runtime.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Frees ND4J arrays nobody references any more. Their native buffers are released only when the
 * Java objects are collected, and those objects are small: the heap barely grows while gigabytes
 * of garbage arrays wait off-heap (the demo reached 8 GB resident; a denoising autoencoder grew
 * by ≈ 60 MB a second). ND4J allocates them natively, outside JavaCPP's byte count, so its
 * {@code maxbytes} limit never triggers a collection either.
 *
 * <p>So the runtime collects where the garbage is made: between entries, and during training and
 * feature extraction whenever the resident size has grown by {@link #GROWTH} since the last
 * collection. With the launcher's malloc settings freed memory stays in the process and is reused,
 * so the resident size stops growing once garbage is collected at that pace.
 */
public final class NativeMemory {

  /** Growth of the resident size that triggers a collection. */
  static final long GROWTH = 256L << 20;

  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE = 4096;
  private static long residentAtLastCollection = -1;

  private NativeMemory() {}

  /** Collects garbage now, so ND4J's deallocator frees the native buffers it held. */
  public static synchronized void releaseGarbage() {
    System.gc();
    residentAtLastCollection = residentBytes();
  }

  /** Collects garbage if the process has grown by {@link #GROWTH} since the last collection. */
  public static synchronized void releaseGarbageIfGrown() {
    long resident = residentBytes();
    if (resident < 0) {
      return;
    }
    if (residentAtLastCollection < 0) {
      residentAtLastCollection = resident;
    } else if (resident - residentAtLastCollection > GROWTH) {
      releaseGarbage();
    }
  }

  /** The resident set size from /proc (Linux), or -1 where it cannot be read. */
  static long residentBytes() {
    try {
      String[] fields = Files.readString(STATM).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PAGE;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
