package dev.pretext.spark;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.pretext.runtime.RuntimeModule;
import dev.pretext.runtime.SuiteRunner;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.training.Backend;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The runtime of one JVM that runs units: the native backend chosen once, and per plugins folder one
 * plugin registry, suite loader and runner, shared by every task of the JVM. In local mode the
 * driver's own are used, so that plugins load once per JVM.
 */
final class Node {

  /** A runtime ready to run units. */
  record Runtime(PluginRegistry plugins, SuiteLoader loader, SuiteRunner runner) {}

  private static final Map<Path, Runtime> BY_PLUGINS_FOLDER = new HashMap<>();
  private static boolean backendConfigured;

  private Node() {}

  /** Registers the driver's runtime for its plugins folder (local mode: tasks run in the driver's JVM). */
  static synchronized void share(Path pluginsFolder, PluginRegistry plugins, SuiteRunner runner) {
    BY_PLUGINS_FOLDER.put(pluginsFolder.toAbsolutePath().normalize(),
        new Runtime(plugins, new SuiteLoader(plugins), runner));
  }

  /** Forgets what {@link #share} registered. */
  static synchronized void unshare(Path pluginsFolder) {
    BY_PLUGINS_FOLDER.remove(pluginsFolder.toAbsolutePath().normalize());
  }

  /** The runtime whose plugins come from {@code pluginsFolder}: the shared one, else one made now. */
  static synchronized Runtime forPlugins(Path pluginsFolder) {
    Path key = pluginsFolder.toAbsolutePath().normalize();
    Runtime runtime = BY_PLUGINS_FOLDER.get(key);
    if (runtime == null) {
      if (!backendConfigured) {
        // As the launcher's main does, before the first ND4J call of this executor.
        Backend.configure();
        backendConfigured = true;
      }
      Injector injector = Guice.createInjector(Stage.PRODUCTION, new RuntimeModule(key));
      PluginRegistry plugins = injector.getInstance(PluginRegistry.class);
      runtime = new Runtime(plugins, injector.getInstance(SuiteLoader.class), injector.getInstance(SuiteRunner.class));
      BY_PLUGINS_FOLDER.put(key, runtime);
    }
    return runtime;
  }
}
