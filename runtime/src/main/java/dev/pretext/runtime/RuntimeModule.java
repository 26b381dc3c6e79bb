package dev.pretext.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.training.TrainingEngine;
import java.nio.file.Path;

/**
 * Wires one invocation: the plugins found on the classpath and in {@code pluginsFolder}, the suite
 * loader, the training engine and the suite runner. Bindings are explicit; nothing is proxied.
 */
public final class RuntimeModule extends AbstractModule {

  private final Path pluginsFolder;

  public RuntimeModule(Path pluginsFolder) {
    this.pluginsFolder = pluginsFolder;
  }

  @Override
  protected void configure() {
    binder().requireExplicitBindings();
    binder().disableCircularProxies();
    bind(SuiteLoader.class).in(Singleton.class);
    bind(SuiteRunner.class).in(Singleton.class);
    bind(TrainingEngine.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  PluginRegistry plugins() {
    return new PluginRegistry(new PluginLoader(pluginsFolder).load());
  }
}
