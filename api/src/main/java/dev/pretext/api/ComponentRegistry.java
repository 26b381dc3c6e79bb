package dev.pretext.api;

import com.typesafe.config.Config;
import java.util.Set;

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
}
