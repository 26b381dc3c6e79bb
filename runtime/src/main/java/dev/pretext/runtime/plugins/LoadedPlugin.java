package dev.pretext.runtime.plugins;

import com.typesafe.config.Config;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A plugin that loaded without problems.
 *
 * @param descriptor its name, version and the SPI version it needs
 * @param source {@value #CLASSPATH} for a plugin on the runtime's classpath, else the plugin folder
 *     or bare jar in the plugins folder, as an absolute path
 * @param jars the jars its class loader reads (for a classpath plugin, its own jar or class folder)
 * @param location the jar (or class folder) holding its entry class, descriptor and {@code
 *     reference.conf}
 * @param classLoader the loader of its classes: a {@link PluginClassLoader} for a folder plugin,
 *     the runtime's loader for a classpath plugin
 * @param instance its entry point
 * @param components its factories per kind, by type in the order the plugin lists them; every kind
 *     is present. Each factory's {@code create} runs with {@link #classLoader()} as the context
 *     class loader.
 * @param referenceConfig its own {@code reference.conf}, unresolved; empty if it ships none
 */
public record LoadedPlugin(
    PluginDescriptor descriptor,
    String source,
    List<Path> jars,
    Path location,
    ClassLoader classLoader,
    PretextPlugin instance,
    Map<ComponentKind, Map<String, ComponentFactory<?>>> components,
    Config referenceConfig) {

  /** The {@link #source()} of a plugin found on the runtime's own classpath. */
  public static final String CLASSPATH = "classpath";

  public LoadedPlugin {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(source, "source");
    jars = List.copyOf(jars);
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(classLoader, "classLoader");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(referenceConfig, "referenceConfig");
    Map<ComponentKind, Map<String, ComponentFactory<?>>> copy = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      copy.put(
          kind,
          Collections.unmodifiableMap(
              new LinkedHashMap<>(components.getOrDefault(kind, Map.of()))));
    }
    components = Collections.unmodifiableMap(copy);
  }

  /** The plugin's unique name, from its descriptor. */
  public String name() {
    return descriptor.name();
  }

  /** The types this plugin contributes for {@code kind}, in the order it lists them. */
  public Set<String> types(ComponentKind kind) {
    return components.get(kind).keySet();
  }

  /** Where it came from, for messages: {@code name (jar)}. */
  public String describe() {
    return name() + " (" + location + ")";
  }

  /**
   * Runs {@code action} with this plugin's class loader as the thread's context class loader; use
   * it when calling into a component the plugin created.
   */
  public <T> T withContextLoader(Supplier<T> action) {
    return PluginClassLoader.withContextLoader(classLoader, action);
  }
}
