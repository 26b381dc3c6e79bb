package dev.pretext.runtime.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.pretext.api.ComponentKind;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pretext describe TYPE}: a component's defaults, with their comments. */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Print a component's settings with defaults and comments; 'describe suite' prints the suite's.")
final class DescribeCommand implements Callable<Integer> {

  @ParentCommand PretextCli parent;

  @Parameters(index = "0", paramLabel = "TYPE", description = "A component type (e.g. rotation, conv4) or 'suite'.")
  String type;

  private static final ConfigRenderOptions RENDER =
      ConfigRenderOptions.defaults().setOriginComments(false).setComments(true).setJson(false);

  @Override
  public Integer call() {
    if (type.equals("suite")) {
      System.out.println(SuiteLoader.reference().root().render(RENDER));
      return ExitCodes.OK;
    }
    PluginRegistry registry = parent.injector().getInstance(PluginRegistry.class);
    Components components = new Components(registry, 0, new dev.pretext.api.ImageShape(1, 28, 28));
    boolean found = false;
    for (ComponentKind kind : ComponentKind.values()) {
      var factory = registry.factory(kind, type);
      if (factory.isEmpty()) {
        continue;
      }
      found = true;
      LoadedPlugin owner = registry.ownerOf(kind, type);
      System.out.printf("%s '%s' from plugin %s %s%n  %s%n%n", kind.key(), type, owner.name(),
          owner.descriptor().version(), factory.get().summary());
      Config defaults = components.defaults(kind, type);
      System.out.println(defaults.isEmpty() ? "(no settings)" : defaults.root().render(RENDER));
    }
    if (!found) {
      System.err.println("error: " + registry.unknownTypeMessage(ComponentKind.PRETEXT_TASK, type)
          .replace("unknown task", "unknown component"));
      return ExitCodes.BAD_CONFIG;
    }
    return ExitCodes.OK;
  }
}
