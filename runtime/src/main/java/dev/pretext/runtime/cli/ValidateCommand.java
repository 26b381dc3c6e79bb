package dev.pretext.runtime.cli;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pretext validate SUITE.conf}: every check of {@code run}, without training. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a suite (keys, types, ranges, plugins) without training anything.")
final class ValidateCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Parameters(index = "0", paramLabel = "SUITE.conf")
  Path suiteFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a suite value (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    PluginsCommand.warnAboutProblems(parent.injector().getInstance(dev.pretext.runtime.plugins.PluginRegistry.class));
    Suite suite = parent.injector().getInstance(SuiteLoader.class).load(suiteFile, overrides);
    System.out.printf("%s is valid: %d method(s) %s, baselines %s, seeds %s%n", suiteFile,
        suite.methods().size(), suite.methods().stream().map(Suite.MethodSpec::name).toList(),
        suite.baselines(), suite.seeds());
    return ExitCodes.OK;
  }
}
