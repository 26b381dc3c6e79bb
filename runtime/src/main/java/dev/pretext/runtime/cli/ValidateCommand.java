package dev.pretext.runtime.cli;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.data.DatasetException;
import dev.pretext.runtime.data.Datasets;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pretext validate SUITE.conf}: every check of {@code run}, without training. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a suite (keys, types, ranges, plugins) and open every dataset it names"
        + " (headers, sizes, labels; nothing loaded whole) without training anything.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:valid", "2:bad command line or suite configuration",
        "3:a dataset is missing or malformed (each one named, with the file and what is wrong)"})
final class ValidateCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Parameters(index = "0", paramLabel = "SUITE.conf")
  Path suiteFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a suite value (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--no-data", description = "Check the configuration only; do not open the datasets.")
  boolean noData;

  @Override
  public Integer call() {
    PluginsCommand.warnAboutProblems(parent.injector().getInstance(dev.pretext.runtime.plugins.PluginRegistry.class));
    Suite suite = parent.injector().getInstance(SuiteLoader.class).load(suiteFile, overrides);
    if (!noData) {
      List<String> problems = checkData(suite, System.out, System.err);
      if (!problems.isEmpty()) {
        System.err.printf("error: dataset: %s names %d bad or missing dataset%s:%n", suiteFile, problems.size(),
            problems.size() == 1 ? "" : "s");
        for (int i = 0; i < problems.size(); i++) {
          System.err.printf("  %d. %s%n", i + 1, problems.get(i).replace("\n", "\n     "));
        }
        return ExitCodes.BAD_DATA;
      }
    }
    System.out.printf("%s is valid: %d method(s) %s, baselines %s, seeds %s%s%n", suiteFile,
        suite.methods().size(), suite.methods().stream().map(Suite.MethodSpec::name).toList(),
        suite.baselines(), suite.seeds(), noData ? " (data not opened: --no-data)" : "");
    return ExitCodes.OK;
  }

  /**
   * Opens every data block the suite names — {@code suite.data}, {@code suite.pretraining-data}
   * and each method's own — once each, printing what each holds to {@code out} and warnings to
   * {@code err}.
   *
   * @return one problem per bad block, "block: file: what is wrong"; empty when all are good
   */
  static List<String> checkData(Suite suite, PrintStream out, PrintStream err) {
    Set<Suite.DataSettings> blocks = new LinkedHashSet<>();
    blocks.add(suite.data());
    if (suite.pretrainingData() != null) {
      blocks.add(suite.pretrainingData());
    }
    suite.methods().stream().map(Suite.MethodSpec::pretrainingData).filter(d -> d != null).forEach(blocks::add);
    List<String> problems = new ArrayList<>();
    for (Suite.DataSettings block : blocks) {
      try {
        out.printf("data: %s: %s%n", block.block(), Datasets.inspect(block, w -> err.println("warning: " + w)));
      } catch (DatasetException e) {
        problems.add(block.block() + ": " + e.getMessage());
      }
    }
    var segmentation = suite.evaluation().segmentation();
    if (segmentation.enabled()) {
      String block = dev.pretext.runtime.config.SegmentationSettings.BLOCK + ".data";
      try {
        out.printf("data: %s: %s%n", block, Datasets.inspectScenes(segmentation.data(), suite.data().path(),
            w -> err.println("warning: " + w)));
      } catch (DatasetException e) {
        problems.add(block + ": " + e.getMessage());
      }
    }
    return problems;
  }
}
