package dev.pretext.runtime.cli;

/** Process exit codes, distinct per kind of failure so scripts can react. */
public final class ExitCodes {
  public static final int OK = 0;
  /** An unexpected internal error. */
  public static final int INTERNAL = 1;
  /** Bad command line or bad suite configuration (nothing was trained). */
  public static final int BAD_CONFIG = 2;
  /** The dataset is missing or malformed. */
  public static final int BAD_DATA = 3;
  /** At least one method failed to train or evaluate; the others' results were written. */
  public static final int TRAINING_FAILED = 4;
  /**
   * A file could not be written or read (disk full, permission denied); the message names it and
   * the cause. Results finished before stay, and {@code --resume} continues once it is fixed.
   */
  public static final int IO_FAILED = 5;
  /**
   * The run ran out of memory (JavaCPP's resident limit, {@code PRETEXT_MAXRSS}, or the Java heap);
   * results finished before stay, and {@code --resume} continues with more memory.
   */
  public static final int OUT_OF_MEMORY = 6;
  /**
   * The ND4J build cannot run here: the CUDA build without a GPU, its driver or the CUDA 11.6
   * libraries, or a build PRETEXT_BACKEND names that the distribution does not hold.
   */
  public static final int BACKEND_UNAVAILABLE = 7;

  private ExitCodes() {}
}
