package dev.pretext.spark;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.training.Checkpoints;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.function.Function;

/**
 * Runs one unit on an executor: the suite loaded from the driver's resolved text, the unit run by the
 * runtime into a folder of its own, and its entry and files returned to the driver. A method that
 * fails for its own reasons comes back as a failed entry; anything else (data missing, a file that
 * cannot be written, a lost executor) fails the task, which Spark runs again.
 */
final class UnitTask implements Function<UnitRequest, UnitResult> {

  private static final long serialVersionUID = 1L;
  /** The name the plugins archive is unpacked under in each executor's working folder. */
  static final String PLUGINS_ARCHIVE = "pretext-plugins";

  @Override
  public UnitResult call(UnitRequest request) throws IOException {
    long start = System.nanoTime();
    Node.Runtime runtime = Node.forPlugins(pluginsFolder(request));
    Path scratch = Files.createTempDirectory("pretext-unit-");
    try {
      Path suiteFile = scratch.resolve(request.suiteFileName());
      Files.writeString(suiteFile, request.suiteText());
      Path out = scratch.resolve("run");
      System.err.printf("== %s on %s%n", request.describe(), host());
      ResultEntry entry = run(runtime, suiteFile, request, out);
      String stem = dev.pretext.runtime.report.EntryFiles.of(entry.name(), entry.seed());
      return new UnitResult(request.seed(), request.name(), EntryJson.write(entry), EntryFiles.collect(out, stem),
          host(), (System.nanoTime() - start) / 1e9);
    } finally {
      Checkpoints.deleteRecursively(scratch);
    }
  }

  /**
   * The unit's entry. The suite is narrowed to the unit's seed and entry by overrides (the runtime
   * runs a suite's baselines for every seed, and methods as {@code --methods} selects them).
   */
  private static ResultEntry run(Node.Runtime runtime, Path suiteFile, UnitRequest request, Path out)
      throws IOException {
    Config resolved = runtime.loader().load(suiteFile, request.overrides()).resolved();
    List<String> overrides = new ArrayList<>(request.overrides());
    overrides.add("suite.seeds = [" + request.seed() + "]");
    String baseline = baseline(resolved, request.name());
    overrides.add("suite.baselines = [" + (baseline == null ? "" : baseline) + "]");
    Suite suite = runtime.loader().load(suiteFile, overrides);
    // A name no method has: the unit is a baseline, every method is left out.
    Set<String> only = Set.of(baseline == null ? request.name() : "\u0000");
    SuiteRunner.Outcome outcome = runtime.runner().run(suite, out, only, false);
    return outcome.entries().stream()
        .filter(e -> e.name().equals(request.name()) && e.seed() == request.seed()).findFirst()
        .orElseThrow(() -> new IllegalStateException("the run of " + request.describe() + " recorded no entry for it"));
  }

  /** The element of {@code suite.baselines} named {@code name}, as HOCON, or null when it is no baseline. */
  static String baseline(Config resolved, String name) {
    if (!resolved.hasPath("suite.baselines")) {
      return null;
    }
    for (ConfigValue v : resolved.getList("suite.baselines")) {
      String named = v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped()
          : v.valueType() == ConfigValueType.OBJECT && ((com.typesafe.config.ConfigObject) v).get("name") != null
              ? String.valueOf(((com.typesafe.config.ConfigObject) v).get("name").unwrapped()) : null;
      if (name.equals(named)) {
        return v.render(ConfigRenderOptions.concise());
      }
    }
    return null;
  }

  /** The plugins shipped with the job where Spark unpacked them, else the driver's folder (local mode, shared disk). */
  private static Path pluginsFolder(UnitRequest request) {
    try {
      Path shipped = Path.of(SparkFiles.get(PLUGINS_ARCHIVE));
      if (Files.isDirectory(shipped)) {
        return shipped;
      }
    } catch (RuntimeException e) {
      // No SparkFiles here (a test calling the task directly): the driver's folder.
    }
    return Path.of(request.pluginsFolder());
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName() + " (pid " + ProcessHandle.current().pid() + ")";
    } catch (IOException e) {
      return "pid " + ProcessHandle.current().pid();
    }
  }
}
