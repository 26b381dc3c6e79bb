package dev.pretext.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pretext demo}: the demo suite on the embedded sample — a few methods trained long enough
 * to beat the untrained encoder — ending with a plain summary of what each added and the wall time.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the demo suite (<home>/suites/demo.conf: SimCLR, the denoising autoencoder and "
        + "the context encoder against raw pixels and the untrained encoder) on the embedded "
        + "Fashion-MNIST sample; about 10 minutes on 2 cores.")
final class DemoCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Option(names = "--out", paramLabel = "DIR", description = "Results folder (default: runs/demo).")
  Path out;

  @Override
  public Integer call() throws Exception {
    java.time.Instant start = java.time.Instant.now();
    Path suite = parent.home().resolve("suites").resolve("demo.conf");
    if (!Files.isRegularFile(suite)) {
      System.err.println("error: the demo suite " + suite.toAbsolutePath() + " is missing; is --home right?");
      return ExitCodes.BAD_CONFIG;
    }
    return RunCommand.runSuite(parent, suite, List.of(), List.of(), out, false, false, start);
  }
}
