package dev.pretext.runtime.cli;

import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.DatasetException;
import dev.pretext.runtime.report.WriteFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import picocli.CommandLine;

/** Turns failures into one clear message and a distinct exit code; stack traces only for bugs. */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    var err = cli.getErr();
    if (e instanceof SuiteConfigException) {
      err.println("error: " + e.getMessage());
      err.println("Nothing was trained.");
      return ExitCodes.BAD_CONFIG;
    }
    if (e instanceof DatasetException) {
      err.println("error: dataset: " + e.getMessage());
      return ExitCodes.BAD_DATA;
    }
    if (e instanceof WriteFailedException) {
      err.println("error: " + e.getMessage());
      return ExitCodes.IO_FAILED;
    }
    if (e instanceof IOException || e instanceof UncheckedIOException) {
      // Not from AtomicFiles: the JDK's reason, and the file where the exception names one.
      IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      String file = io instanceof FileSystemException f && f.getFile() != null ? ": " + f.getFile() : "";
      err.println("error: I/O: " + WriteFailedException.reason(io) + file);
      return ExitCodes.IO_FAILED;
    }
    err.println("internal error: " + e);
    e.printStackTrace(err);
    return ExitCodes.INTERNAL;
  }
}
