package dev.pretext.spark;

import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.WorkUnit;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.training.Checkpoints;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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
    Path plugins = pluginsFolder(request);
    Node.Runtime runtime = Node.forPlugins(plugins);
    Path scratch = Files.createTempDirectory("pretext-unit-");
    try {
      Path suiteFile = scratch.resolve(request.suiteFileName());
      Files.writeString(suiteFile, request.suiteText());
      Path out = scratch.resolve("run");
      System.err.printf("== %s on %s, plugins from %s%n", request.unit().describe(), host(), plugins);
      ResultEntry entry = run(runtime, suiteFile, request, out);
      String stem = dev.pretext.runtime.report.EntryFiles.of(entry.name(), entry.seed());
      return new UnitResult(EntryJson.write(entry), UnitFiles.collect(out, stem),
          host(), (System.nanoTime() - start) / 1e9);
    } finally {
      Checkpoints.deleteRecursively(scratch);
    }
  }

  /** The unit's entry, run by the runtime into {@code out} as a local run with only this unit would. */
  private static ResultEntry run(Node.Runtime runtime, Path suiteFile, UnitRequest request, Path out)
      throws IOException {
    Suite suite = runtime.loader().load(suiteFile, request.overrides());
    WorkUnit unit = request.unit();
    SuiteRunner.Outcome outcome = runtime.runner().run(suite, out,
        new SuiteRunner.RunOptions(Set.of(unit.name()), false, false, false, List.of(unit)));
    return outcome.entries().stream().filter(e -> e.name().equals(unit.name()) && e.seed() == unit.seed())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the run of " + unit.describe() + " recorded no entry for it"));
  }

  /** The plugins shipped with the job where Spark unpacked them, else the driver's folder (local mode, shared disk). */
  private static Path pluginsFolder(UnitRequest request) {
    try {
      Path shipped = Path.of(SparkFiles.get(PLUGINS_ARCHIVE)).toAbsolutePath().normalize();
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
