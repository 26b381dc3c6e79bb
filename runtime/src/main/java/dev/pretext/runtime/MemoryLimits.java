package dev.pretext.runtime;

import dev.pretext.runtime.data.ImageSet;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.Pointer;

/**
 * The memory limits a run has: the Java heap, the ND4J arrays JavaCPP tracks and the resident
 * limit at which JavaCPP refuses to allocate, as the launcher set them (from the machine's memory
 * unless {@code PRETEXT_HEAP}, {@code PRETEXT_OFFHEAP}, {@code PRETEXT_MAXRSS} said otherwise); and
 * the run's own resident ceiling, chosen from the size of its data ({@link #ceiling}). Printed at
 * the start of a run, once the data is loaded, so a reader of the log knows them.
 */
final class MemoryLimits {

  /**
   * What a run needs whatever its data: the JVM and its heap in use, the native libraries (oneDNN,
   * OpenBLAS), a conv4 training step's graph and activations at the shipped batch sizes, the
   * malloc arena's slack. The demo on the embedded sample (21 MB decoded) peaked at 2.1 GB.
   */
  static final long BASE = 2560L << 20;

  /**
   * Resident bytes per byte of decoded images: the images themselves, augmented batches and their
   * prefetched copies, the features of every image and the probes' copies of them (raw pixels'
   * features are the images), kNN's similarity blocks. Full Fashion-MNIST (209 MB decoded) peaked
   * at 3.0 (SimCLR) and 3.4 GB (rotation with both baselines).
   */
  static final int PER_DATA_BYTE = 8;

  /**
   * What each entry running beside the first adds ({@code suite.workers}): a conv4 step's graph,
   * activations, augmented batches and features; the decoded data is shared.
   */
  static final long PER_EXTRA_ENTRY = 1024L << 20;

  private MemoryLimits() {}

  /**
   * The resident ceiling of a run holding {@code dataBytes} of decoded images: {@link #BASE} plus
   * {@link #PER_DATA_BYTE} times the data, at most {@code limit} (JavaCPP's, from the machine's
   * memory; 0 or less: none).
   */
  static long ceiling(long dataBytes, long limit) {
    return ceiling(dataBytes, 1, limit);
  }

  /**
   * As {@link #ceiling(long, long)} for {@code workers} entries at once: each entry past the first
   * adds {@link #PER_EXTRA_ENTRY} (its step's graph, activations and batches; the data is shared).
   */
  static long ceiling(long dataBytes, int workers, long limit) {
    long ceiling = BASE + PER_EXTRA_ENTRY * Math.max(0, workers - 1) + PER_DATA_BYTE * dataBytes;
    return limit > 0 ? Math.min(ceiling, limit) : ceiling;
  }

  /** The bytes of decoded images the sets hold (a set listed twice, or null, counts once or not at all). */
  static long dataBytes(Collection<ImageSet> sets) {
    return sets.stream().filter(Objects::nonNull).distinct()
        .mapToLong(s -> s.images().length() * s.images().dataType().width()).sum();
  }

  /** The run's ceiling for {@code dataBytes}, under JavaCPP's resident limit. */
  static long ceilingFor(long dataBytes, int workers) {
    return ceiling(dataBytes, workers, Pointer.maxPhysicalBytes());
  }

  /**
   * One line, e.g. {@code Memory: resident ceiling 2727 MB for this run (2560 MB + 8 x 21 MB of
   * decoded images, under JavaCPP's limit of 12288 MB); heap 4.0 GB, tracked arrays 3072 MB
   * (from the machine's 24105 MB (MemTotal); PRETEXT_HEAP, PRETEXT_OFFHEAP, PRETEXT_MAXRSS override)}.
   */
  static String describe(long dataBytes, int workers) {
    String machine = System.getProperty("pretext.memory");
    return String.format(Locale.ROOT, "Memory: resident ceiling %d MB for this run (%d MB%s + %d x %d MB of decoded"
            + " images, under JavaCPP's limit of %d MB); heap %.1f GB, tracked arrays %d MB%s",
        ceilingFor(dataBytes, workers) >> 20, BASE >> 20,
        workers > 1 ? String.format(Locale.ROOT, " + %d x %d MB for entries at once", workers - 1,
            PER_EXTRA_ENTRY >> 20) : "",
        PER_DATA_BYTE, Math.round(dataBytes / 1048576.0),
        Pointer.maxPhysicalBytes() >> 20, Runtime.getRuntime().maxMemory() / 1073741824.0, Pointer.maxBytes() >> 20,
        machine == null ? "" : " (from the machine's " + machine + "; PRETEXT_HEAP, PRETEXT_OFFHEAP,"
            + " PRETEXT_MAXRSS override)");
  }
}
