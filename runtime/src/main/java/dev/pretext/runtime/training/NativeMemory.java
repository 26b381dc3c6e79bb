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
 * so the resident size stops growing once garbage is collected at that pace. Within {@link
 * #GROWTH} of the run's ceiling ({@link #ceiling}) it collects every {@link #NEAR_CEILING_GROWTH}
 * instead, so garbage does not carry the process over it.
 */
public final class NativeMemory {

  /** Growth of the resident size that triggers a collection. */
  static final long GROWTH = 256L << 20;

  /** The growth that triggers a collection within {@link #GROWTH} of the ceiling. */
  static final long NEAR_CEILING_GROWTH = 32L << 20;

  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE = 4096;
  private static long residentAtLastCollection = -1;
  private static long ceiling;

  private NativeMemory() {}

  /** Collects garbage now, so ND4J's deallocator frees the native buffers it held. */
  public static synchronized void releaseGarbage() {
    System.gc();
    residentAtLastCollection = residentBytes();
  }

  /** The resident ceiling of the run in progress (0: none), which collections keep it under. */
  public static synchronized void ceiling(long bytes) {
    ceiling = bytes;
  }

  /** Collects garbage if the process has grown enough since the last collection ({@link #due}). */
  public static synchronized void releaseGarbageIfGrown() {
    long resident = residentBytes();
    if (resident < 0) {
      return;
    }
    if (residentAtLastCollection < 0) {
      residentAtLastCollection = resident;
    } else if (due(resident, residentAtLastCollection, ceiling)) {
      releaseGarbage();
    }
  }

  /**
   * Whether {@code resident} bytes call for a collection: grown by {@link #GROWTH} since the last
   * one, or by {@link #NEAR_CEILING_GROWTH} once within {@link #GROWTH} of {@code ceiling} (0: none).
   */
  static boolean due(long resident, long atLastCollection, long ceiling) {
    boolean nearCeiling = ceiling > 0 && resident > ceiling - GROWTH;
    return resident - atLastCollection > (nearCeiling ? NEAR_CEILING_GROWTH : GROWTH);
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
