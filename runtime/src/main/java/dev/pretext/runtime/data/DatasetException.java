package dev.pretext.runtime.data;

import java.nio.file.Path;

/**
 * A data set could not be found or read. The message always says which file (or which places were
 * searched) and what exactly is wrong with it, so that it can be shown to the user as it is.
 */
public final class DatasetException extends RuntimeException {

  private final transient Path file;

  /**
   * A problem with one file; the message becomes {@code "<file>: <problem>"}.
   *
   * @param file the offending file
   * @param problem what is wrong, in a phrase that makes sense after the file name
   */
  public DatasetException(Path file, String problem) {
    this(file, problem, null);
  }

  /**
   * A problem with one file, caused by a lower-level exception.
   *
   * @param file the offending file
   * @param problem what is wrong, in a phrase that makes sense after the file name
   * @param cause the underlying exception, may be null
   */
  public DatasetException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /**
   * A problem that is not about one file on disk (a classpath resource, or a search that found
   * nothing); the message must then name what was read or searched itself.
   *
   * @param message the complete message
   * @param cause the underlying exception, may be null
   */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
    this.file = null;
  }

  /** The offending file, or null when the problem is not about one file on disk. */
  public Path file() {
    return file;
  }
}
