package dev.pretext.runtime.plugins;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.runtime.config.Suggestions;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The components of every loaded plugin by kind and type, and the problems of those that did not
 * load. Immutable.
 */
public final class PluginRegistry {

  private final List<LoadedPlugin> plugins;
  private final List<PluginProblem> problems;
  private final Map<ComponentKind, Map<String, LoadedPlugin>> owners =
      new EnumMap<>(ComponentKind.class);
  private final Config referenceConfig;

  /**
   * Indexes what a {@link PluginLoader} loaded.
   *
   * @throws IllegalArgumentException if two plugins provide the same type of the same kind (the
   *     loader never lets that happen)
   */
  public PluginRegistry(PluginLoader.Result loaded) {
    this.plugins = loaded.plugins();
    this.problems = loaded.problems();
    Config merged = ConfigFactory.empty();
    for (ComponentKind kind : ComponentKind.values()) {
      owners.put(kind, new TreeMap<>());
    }
    for (LoadedPlugin plugin : plugins) {
      for (ComponentKind kind : ComponentKind.values()) {
        for (String type : plugin.types(kind)) {
          LoadedPlugin other = owners.get(kind).putIfAbsent(type, plugin);
          if (other != null) {
            throw new IllegalArgumentException(
                "duplicate type '"
                    + type
                    + "' of kind "
                    + kind.key()
                    + ": provided by both "
                    + other.describe()
                    + " and "
                    + plugin.describe());
          }
        }
      }
      merged = merged.withFallback(plugin.referenceConfig());
    }
    this.referenceConfig = merged;
  }

  /** The factory of {@code type}, if a loaded plugin provides it. */
  public Optional<ComponentFactory<?>> factory(ComponentKind kind, String type) {
    return Optional.ofNullable(owners.get(kind).get(type))
        .map(plugin -> plugin.components().get(kind).get(type));
  }

  /** The types known for {@code kind}, sorted. */
  public Set<String> types(ComponentKind kind) {
    return Collections.unmodifiableSet(owners.get(kind).keySet());
  }

  /**
   * The defaults of every loaded plugin's components, merged and unresolved: resolve them together
   * with the suite, whose values may be substituted into them.
   */
  public Config referenceConfig() {
    return referenceConfig;
  }

  /**
   * The plugin that provides {@code type}.
   *
   * @throws IllegalArgumentException with {@link #unknownTypeMessage} if none does
   */
  public LoadedPlugin ownerOf(ComponentKind kind, String type) {
    LoadedPlugin owner = owners.get(kind).get(type);
    if (owner == null) {
      throw new IllegalArgumentException(unknownTypeMessage(kind, type));
    }
    return owner;
  }

  /** The plugins that loaded, in load order. */
  public List<LoadedPlugin> plugins() {
    return plugins;
  }

  /** Why the other plugins were disabled, one problem each, in load order. */
  public List<PluginProblem> problems() {
    return problems;
  }

  /**
   * Explains that no loaded plugin provides {@code type}: the closest known type, the known types,
   * and — since a disabled plugin's types cannot be known — how many plugins failed to load.
   */
  public String unknownTypeMessage(ComponentKind kind, String type) {
    Set<String> known = types(kind);
    StringBuilder message = new StringBuilder();
    message.append("unknown ").append(kind.key()).append(" '").append(type).append("'");
    message.append(
        Suggestions.closest(type, known)
            .map(match -> "; did you mean '" + match + "'? ")
            .orElse(". "));
    message.append("Known ").append(plural(kind.key())).append(": ");
    message.append(known.isEmpty() ? "none" : String.join(", ", known));
    if (!problems.isEmpty()) {
      message
          .append(" (")
          .append(problems.size())
          .append(problems.size() == 1 ? " plugin" : " plugins")
          .append(" failed to load: see `pretext plugins`)");
    }
    return message.toString();
  }

  private static String plural(String noun) {
    return noun.endsWith("s") ? noun + "es" : noun + "s";
  }
}
