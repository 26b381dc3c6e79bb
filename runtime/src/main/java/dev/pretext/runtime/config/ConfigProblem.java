package dev.pretext.runtime.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;

/**
 * One thing wrong with a suite, located as precisely as the config library allows.
 *
 * @param location {@code file:line}, or the {@code --set} argument, or the file alone
 * @param path the config path concerned (may be empty for file-level problems)
 * @param message what is wrong, and the fix when there is an obvious one
 */
public record ConfigProblem(String location, String path, String message) {

  /** A problem at the origin of a config value. */
  public static ConfigProblem at(ConfigOrigin origin, String path, String message) {
    return new ConfigProblem(describe(origin), path, message);
  }

  /** A problem from a config-library exception (its message already names path and origin). */
  public static ConfigProblem of(ConfigException e) {
    String message = e.getMessage();
    if (e.origin() != null) {
      String prefix = e.origin().description() + ": ";
      if (message.startsWith(prefix)) {
        message = message.substring(prefix.length());
      }
    }
    return new ConfigProblem(describe(e.origin()), "", message);
  }

  /** {@code file:line} for a file origin, the description otherwise. */
  public static String describe(ConfigOrigin origin) {
    if (origin == null) {
      return "(unknown location)";
    }
    if (origin.filename() != null) {
      String name = java.nio.file.Path.of(origin.filename()).getFileName().toString();
      return origin.lineNumber() > 0 ? name + ":" + origin.lineNumber() : name;
    }
    return origin.description();
  }

  @Override
  public String toString() {
    return location + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
