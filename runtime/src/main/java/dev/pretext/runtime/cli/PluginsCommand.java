package dev.pretext.runtime.cli;

import dev.pretext.api.ComponentKind;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginProblem;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pretext plugins}: what is installed, from where, and what failed to load. Any plugin
 * that failed makes it exit with the configuration code (2), so a script that checks an
 * installation notices; {@code --ignore-failed} exits 0 anyway.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List loaded plugins (version, source jar, component types) and plugins that failed to load;"
        + " exits 2 when any failed.")
final class PluginsCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Option(names = "--ignore-failed", description = "Exit 0 even when some plugins failed to load.")
  boolean ignoreFailed;

  @Override
  public Integer call() {
    PluginRegistry registry = parent.injector().getInstance(PluginRegistry.class);
    for (LoadedPlugin plugin : registry.plugins()) {
      System.out.printf("%s %s  (api %s)%n  from: %s%n", plugin.name(), plugin.descriptor().version(),
          plugin.descriptor().apiVersion(),
          plugin.source().equals(LoadedPlugin.CLASSPATH) ? "classpath " + plugin.location() : plugin.location());
      if (!plugin.descriptor().description().isEmpty()) {
        System.out.println("  " + plugin.descriptor().description());
      }
      for (ComponentKind kind : ComponentKind.values()) {
        for (String type : plugin.types(kind)) {
          System.out.printf("  %-17s %-16s %s%n", kind.key(), type,
              plugin.components().get(kind).get(type).summary());
        }
      }
    }
    if (registry.plugins().isEmpty()) {
      System.out.println("No plugins loaded (looked on the classpath and in the plugins folder).");
    }
    if (registry.problems().isEmpty()) {
      return ExitCodes.OK;
    }
    System.out.printf("%nFailed to load (%d):%n", registry.problems().size());
    for (PluginProblem problem : registry.problems()) {
      System.out.printf("  %s%n    %s%n", problem.location(), problem.reason());
    }
    System.err.printf("%d plugin(s) failed to load (listed above)%s%n", registry.problems().size(),
        ignoreFailed ? "; ignored (--ignore-failed)" : "; --ignore-failed exits 0 anyway");
    return ignoreFailed ? ExitCodes.OK : ExitCodes.BAD_CONFIG;
  }

  /** Prints one line per plugin that failed to load. */
  static void warnAboutProblems(PluginRegistry registry) {
    for (PluginProblem problem : registry.problems()) {
      System.err.println("warning: plugin disabled: " + problem.message());
    }
  }
}
