package dev.pretext.runtime.cli;

import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.DatasetException;
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
    err.println("internal error: " + e);
    e.printStackTrace(err);
    return ExitCodes.INTERNAL;
  }
}
