package dev.pretext.runtime.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.pretext.runtime.RuntimeModule;
import dev.pretext.runtime.training.Backend;
import dev.pretext.runtime.training.BackendUnavailableException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code pretext} command. */
@Command(
    name = "pretext",
    mixinStandardHelpOptions = true,
    versionProvider = PretextCli.VersionProvider.class,
    description = "Self-supervised representation learning on Deeplearning4j: pretrain encoders "
        + "with pretext tasks, evaluate them frozen, compare against baselines.",
    subcommands = {RunCommand.class, DemoCommand.class, ValidateCommand.class,
        PluginsCommand.class, DescribeCommand.class, ExportEncoderCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:internal error", "2:bad command line or suite configuration",
        "3:dataset missing or malformed", "4:a method failed to train (others' results written)",
        "5:a file could not be written or read (the message names it and the cause)",
        "6:out of memory (finished results kept; --resume continues)",
        "7:the ND4J backend cannot run here (e.g. the CUDA build without a GPU)"})
public final class PretextCli {

  @Option(names = "--home", description = "Pretext installation folder (default: the launcher's, "
      + "or the working directory); plugins are loaded from <home>/plugins.")
  Path home;

  @Option(names = "--plugins", description = "Plugins folder (default: <home>/plugins).")
  Path pluginsFolder;

  private Injector injector;

  /** The installation folder: {@code --home}, else {@code -Dpretext.home}, else the working directory. */
  Path home() {
    if (home != null) {
      return home;
    }
    String property = System.getProperty("pretext.home");
    return Path.of(property == null ? "." : property);
  }

  /** The plugins folder: {@code --plugins}, else {@code <home>/plugins}. */
  Path pluginsFolder() {
    return pluginsFolder != null ? pluginsFolder : home().resolve("plugins");
  }

  /** The Guice injector for this invocation (plugins are loaded on first use). */
  Injector injector() {
    if (injector == null) {
      injector = Guice.createInjector(Stage.PRODUCTION, new RuntimeModule(pluginsFolder()));
    }
    return injector;
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new PretextCli());
    cli.setExecutionExceptionHandler(new FailureHandler());
    return cli.execute(args);
  }

  public static void main(String[] args) {
    try {
      Backend.configure();
    } catch (BackendUnavailableException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(ExitCodes.BACKEND_UNAVAILABLE);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(ExitCodes.BAD_CONFIG);
    }
    System.exit(execute(args));
  }

  /** Prints Pretext's, the SPI's and DL4J's versions. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"pretext " + dev.pretext.runtime.Versions.pretext()
          + " (api " + dev.pretext.api.ApiVersion.current() + ", dl4j " + dev.pretext.runtime.Versions.dl4j() + ")"};
    }
  }
}
