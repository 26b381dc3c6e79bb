package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.config.ConfigProblem;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.DatasetException;
import dev.pretext.runtime.report.WriteFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FailureHandlerTest {

  record Handled(int code, String err) {}

  private static Handled handle(Exception e) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PretextCli());
    cli.setErr(new PrintWriter(err, true));
    int code = new FailureHandler().handleExecutionException(e, cli, null);
    return new Handled(code, err.toString());
  }

  @Test
  void aFullDiskNamesTheFileAndTheCauseWithTheIoCodeAndNoStackTrace() {
    Path report = Path.of("runs/x/report.html");
    Handled h = handle(new WriteFailedException(report, new IOException("No space left on device")));

    assertThat(h.code()).isEqualTo(ExitCodes.IO_FAILED).isEqualTo(5);
    assertThat(h.err()).isEqualTo("error: no space left on device writing runs/x/report.html" + System.lineSeparator());
  }

  @Test
  void otherIoFailuresAlsoNameTheFileWhenTheJdkGaveOne() {
    Handled denied = handle(new AccessDeniedException("runs/x/.results.lock"));
    assertThat(denied.code()).isEqualTo(ExitCodes.IO_FAILED);
    assertThat(denied.err()).startsWith("error: I/O: permission denied: runs/x/.results.lock").doesNotContain("\tat ");

    Handled unchecked = handle(new UncheckedIOException("reading", new IOException("Input/output error")));
    assertThat(unchecked.code()).isEqualTo(ExitCodes.IO_FAILED);
    assertThat(unchecked.err()).startsWith("error: I/O: input/output error");
  }

  @Test
  void configurationDataAndBugsKeepTheirCodes() {
    assertThat(handle(new SuiteConfigException("--resume into runs/x",
        List.of(new ConfigProblem("runs/x/results.json", "", "cannot be read back")))).code())
        .isEqualTo(ExitCodes.BAD_CONFIG);
    Handled data = handle(new DatasetException("Fashion-MNIST (full) not found in /d (suite.data.path)", null));
    assertThat(data.code()).isEqualTo(ExitCodes.BAD_DATA);
    assertThat(data.err()).startsWith("error: dataset: Fashion-MNIST (full) not found in /d");
    Handled bug = handle(new IllegalStateException("a bug"));
    assertThat(bug.code()).isEqualTo(ExitCodes.INTERNAL);
    assertThat(bug.err()).startsWith("internal error: ").contains("\tat ");
  }
}
