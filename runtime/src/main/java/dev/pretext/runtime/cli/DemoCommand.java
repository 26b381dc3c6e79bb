package dev.pretext.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pretext demo}: the quick suite on the embedded sample. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the quick suite (<home>/suites/quick.conf) on the embedded Fashion-MNIST sample.")
final class DemoCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Option(names = "--out", paramLabel = "DIR", description = "Results folder (default: runs/quick).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path suite = parent.home().resolve("suites").resolve("quick.conf");
    if (!Files.isRegularFile(suite)) {
      System.err.println("error: the demo suite " + suite.toAbsolutePath() + " is missing; is --home right?");
      return ExitCodes.BAD_CONFIG;
    }
    return RunCommand.runSuite(parent, suite, List.of(), List.of(), out, false);
  }
}
