package dev.pretext.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Looks up and creates components contributed by any loaded plugin. */
public interface ComponentRegistry {

  /** The type names known for a kind, across all loaded plugins. */
  Set<String> types(ComponentKind kind);

  /**
   * Creates a component of the given kind and type.
   *
   * @param settings values that override the type's defaults; usually a sub-tree of the caller's
   *     own settings, so that errors point to the caller's file and line
   * @param path where {@code settings} live in the suite, for messages
   * @throws IllegalArgumentException if no loaded plugin provides the type; the message lists the
   *     known types
   */
  <T> T create(Class<T> kind, String type, Config settings, String path);

  /**
   * Creates one component per entry of a list of {@code { type = <name>, <its settings> }}
   * objects, in order — e.g. a task's augmentation pipeline.
   *
   * @param path where {@code list} lives in the suite; entries are reported as {@code path[i]}
   * @throws ConfigException.BadValue naming the entry and the known types when an entry is not
   *     such an object
   */
  default <T> List<T> createAll(Class<T> type, ComponentKind kind, ConfigList list, String path) {
    List<T> result = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      ConfigValue entry = list.get(i);
      String entryPath = path + "[" + i + "]";
      if (!(entry instanceof ConfigObject object) || !object.containsKey("type")) {
        throw new ConfigException.BadValue(entry.origin(), entryPath,
            "expected { type = <" + kind.key() + ">, … }; known " + kind.key() + "s: "
                + String.join(", ", new TreeSet<>(types(kind))));
      }
      Config settings = object.toConfig();
      result.add(create(type, settings.getString("type"), settings, entryPath));
    }
    return List.copyOf(result);
  }
}
