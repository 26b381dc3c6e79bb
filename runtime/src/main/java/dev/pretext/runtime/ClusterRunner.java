package dev.pretext.runtime;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs a suite's entries on a cluster engine and merges them into the run folder as a local run
 * would ({@code pretext run --spark MASTER}). The Spark runner (module {@code spark}) implements it;
 * the runtime finds it through {@link java.util.ServiceLoader} when its jar is on the class path,
 * which the launcher arranges only for {@code --spark}.
 */
public interface ClusterRunner {

  /**
   * One run.
   *
   * @param runner this process's runner: the run's checks, its plan and the results store
   * @param plugins the plugins this process loaded, from {@code pluginsFolder}
   * @param pluginsFolder shipped with the job so that executors load the same plugins
   * @param suiteFile and {@code overrides}: what {@code suite} was loaded from, loaded again by each executor
   * @param master the cluster's master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, ...)
   */
  record Run(SuiteRunner runner, PluginRegistry plugins, Path pluginsFolder, Path suiteFile, List<String> overrides,
      Suite suite, Path folder, Set<String> onlyMethods, boolean resume, boolean allowMixedProvenance,
      String master) {}

  /** Plans the run here, runs every unit remotely and records each entry as it finishes. */
  SuiteRunner.Outcome run(Run run) throws IOException;
}
