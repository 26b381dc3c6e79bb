package dev.pretext.runtime.report;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file of a run could not be written (disk full, permission denied, a folder in the way). The
 * message names the cause and the file, e.g. {@code no space left on device writing
 * runs/x/report.html}, so that it can be shown to the user as it is.
 */
public final class WriteFailedException extends IOException {

  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public WriteFailedException(Path file, Throwable cause) {
    super(reason(cause) + " writing " + file, cause);
    this.file = file;
  }

  /** The file that could not be written. */
  public Path file() {
    return file;
  }

  /** The cause in a few words: the operating system's reason where the JDK kept it. */
  public static String reason(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
    if (reason == null || reason.isBlank()) {
      return e.getClass().getSimpleName();
    }
    // "No space left on device" reads as part of a sentence.
    return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
  }
}
