package dev.pretext.runtime.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many threads ND4J's native code may use, chosen from the cores this process can really have.
 *
 * <p>Two threads on a machine where another process holds a core do not give more speed: a native
 * op splits its work in two and waits for the half whose thread is descheduled. Measured with
 * {@code ContentionBenchmark} (benchmarks-suite/README.md): the raw-pixel evaluation took 64 s
 * quiet and 437 s beside two busy processes with two threads, 81 s with one. So in {@code auto} mode
 * the count follows the cores left free: the cores the JVM may use (CPU quota and affinity), minus
 * what other processes used since the last look (from /proc/stat, less this process's own CPU time
 * from /proc/self/stat), at least one. Loops call {@link #adjust()} at points where a change is
 * safe (between training steps, feature batches, probes); it looks again at most once a second.
 *
 * <p>A fixed count comes from the launcher's {@code PRETEXT_THREADS} (or {@code -Dpretext.threads},
 * or {@code OMP_NUM_THREADS}), else from the suite's {@code threads} key; otherwise {@code auto}.
 */
public final class ComputeThreads {

  /** Seconds between two looks at the machine's load. */
  private static final double INTERVAL_SECONDS = 1.0;
  /** Free cores are rounded to the nearest count: 1.5 free cores give 2 threads, 1.4 give 1. */
  private static final double ROUND_UP_FROM = 0.5;
  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final Path SELF_STAT = Path.of("/proc/self/stat");

  private static final int FROM_ENVIRONMENT = fromEnvironment();
  /** A fixed count, or 0 for auto. */
  private static int fixed = FROM_ENVIRONMENT;
  private static int current = -1;
  /** What {@code auto} allows now, before any {@code atMost}. */
  private static int budget = -1;
  private static long lastNanos;
  private static long lastBusyTicks = -1;
  private static long lastSelfTicks;
  /** Entries of this process running now (suite.workers); auto shares its cores among them. */
  private static int activeEntries;
  /** OpenMP's count on each thread, from what that thread started with. */
  private static final ThreadLocal<Integer> APPLIED_ON_THIS_THREAD = ThreadLocal.withInitial(
      () -> NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());

  private ComputeThreads() {}

  /**
   * Applies a suite's {@code threads} setting ({@code "auto"} or a count) unless the launcher's
   * environment fixed the count, which wins. Throws IllegalArgumentException naming a bad value.
   */
  public static synchronized void configureFromSuite(String setting) {
    if (setting == null || FROM_ENVIRONMENT > 0) {
      return;
    }
    set(setting);
  }

  /** Sets the policy regardless of the environment: {@code "auto"} or a count. */
  public static synchronized void set(String setting) {
    fixed = parse(setting, "threads");
    budget = -1;
    lastBusyTicks = -1;
    adjust();
  }

  /** The thread count in use (applies the policy first if it never ran). */
  public static synchronized int current() {
    if (current < 0) {
      adjust();
    }
    return current;
  }

  /** The policy, for logs and results: {@code auto (N cores)} or {@code N (fixed)}. */
  public static synchronized String policy() {
    return fixed > 0 ? fixed + " (fixed)" : "auto (" + maximum() + " cores)";
  }

  /**
   * An entry starts on the calling thread: under {@code auto}, the cores this process may use are
   * shared among the entries running (two entries on two free cores: one thread each; when one
   * ends, the other gets both). A fixed count is each entry's own.
   */
  public static synchronized void enterEntry() {
    activeEntries++;
    lastBusyTicks = -1;
  }

  /** The entry started by {@link #enterEntry()} on this thread has ended. */
  public static synchronized void leaveEntry() {
    activeEntries = Math.max(0, activeEntries - 1);
    lastBusyTicks = -1;
  }

  /**
   * Re-applies the policy: cheap when called often (it looks at /proc at most once a second). Call
   * it from the thread that runs the native ops: OpenMP's thread count is per calling thread.
   */
  public static synchronized int adjust() {
    return adjust(Integer.MAX_VALUE);
  }

  /**
   * As {@link #adjust()}, with at most {@code atMost} threads until the next call: for work whose
   * native ops are too small to split (the probe's L-BFGS products ran 1.4x faster on one thread
   * than on two, on a quiet machine).
   */
  public static synchronized int adjust(int atMost) {
    int wanted = fixed > 0 ? fixed : budget > 0 ? budget : maximum();
    long now = System.nanoTime();
    if (fixed <= 0 && (lastBusyTicks < 0 || (now - lastNanos) / 1e9 >= INTERVAL_SECONDS)) {
      long busy = busyTicks();
      long self = selfTicks();
      if (busy >= 0 && self >= 0) {
        if (lastBusyTicks >= 0) {
          double seconds = (now - lastNanos) / 1e9;
          double others = Math.max(0, (busy - lastBusyTicks) - (self - lastSelfTicks)) / (TICKS_PER_SECOND * seconds);
          wanted = forFreeCores(maximum(), others);
        }
        lastBusyTicks = busy;
        lastSelfTicks = self;
        lastNanos = now;
      }
    }
    if (fixed <= 0) {
      budget = wanted;
      wanted = Math.max(1, wanted / Math.max(1, activeEntries));
    }
    apply(Math.min(wanted, atMost));
    return current;
  }

  /** Threads for {@code cores} usable cores of which others keep {@code othersCores} busy. */
  static int forFreeCores(int cores, double othersCores) {
    double free = cores - othersCores;
    return Math.max(1, Math.min(cores, (int) Math.floor(free + (1 - ROUND_UP_FROM))));
  }

  private static void apply(int threads) {
    if (current < 0) {
      // ND4J's own count at start: nothing is set while the policy agrees with it, so a quiet run
      // runs exactly as without this class.
      current = Nd4j.getEnvironment().maxThreads();
    }
    if (threads != current) {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.factory().blas().setMaxThreads(threads);
      current = threads;
    }
    if (threads != APPLIED_ON_THIS_THREAD.get()) {
      NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
      APPLIED_ON_THIS_THREAD.set(threads);
    }
  }

  private static int maximum() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static int fromEnvironment() {
    String value = System.getProperty("pretext.threads", System.getenv("PRETEXT_THREADS"));
    if (value != null && !value.isBlank()) {
      return parse(value, "PRETEXT_THREADS");
    }
    String omp = System.getenv("OMP_NUM_THREADS");
    if (omp != null && omp.trim().matches("[1-9][0-9]*")) {
      return Integer.parseInt(omp.trim());
    }
    return 0;
  }

  /** "auto" → 0, a positive count → itself; anything else is an error naming {@code where}. */
  public static int parse(String value, String where) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("auto")) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(where + " must be 'auto' or a thread count of at least 1, got '" + value + "'");
  }

  /** Linux reports CPU times in USER_HZ ticks, 100 a second on every mainstream kernel. */
  private static final double TICKS_PER_SECOND = 100;

  /**
   * Busy ticks of all CPUs (user, nice, system, irq, softirq), or -1 without /proc. Steal (time a
   * hypervisor gave to other guests) is left out: it is not a process here, and whether one
   * thread beats two under steal is not measured.
   */
  private static long busyTicks() {
    try {
      String first = Files.readAllLines(PROC_STAT).get(0);
      String[] f = first.trim().split("\\s+");
      long sum = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) {
        sum += Long.parseLong(f[i]);
      }
      return sum;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** This process's user + system ticks, or -1 without /proc. */
  private static long selfTicks() {
    try {
      String stat = Files.readString(SELF_STAT);
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
