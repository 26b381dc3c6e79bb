package dev.pretext.runtime.cli;

import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pretext export-encoder RUN_DIR --method NAME --out FILE}. */
@Command(name = "export-encoder", mixinStandardHelpOptions = true,
    description = "Write a trained method's encoder alone (weights and calibrated batch norm) to a file "
        + "that PretrainedEncoder.load reads.")
final class ExportEncoderCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder (holds results.json and encoders/).")
  Path runFolder;

  @Option(names = "--method", required = true, paramLabel = "NAME", description = "The method's name in the suite.")
  String method;

  @Option(names = "--seed", paramLabel = "SEED", description = "Which seed's encoder (default: the first).")
  Long seed;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (a zip).")
  Path out;

  @Override
  public Integer call() throws Exception {
    try {
      Path file = EncoderExport.export(runFolder, method, seed, out,
          parent.injector().getInstance(PluginRegistry.class));
      System.out.println("Written: " + file.toAbsolutePath());
      return ExitCodes.OK;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.BAD_CONFIG;
    }
  }
}
