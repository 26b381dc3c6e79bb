package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/** Range-checked reads of config values; errors carry the value's file and line. */
public final class Settings {

  private Settings() {}

  /** An int in [min, max]. */
  public static int intIn(Config c, String key, int min, int max) {
    int v = c.getInt(key);
    if (v < min || v > max) {
      throw bad(c, key, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  /** A double in [min, max]. */
  public static double doubleIn(Config c, String key, double min, double max) {
    double v = c.getDouble(key);
    if (!(v >= min && v <= max)) {
      throw bad(c, key, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  /** A string from a fixed set. */
  public static String oneOf(Config c, String key, java.util.Collection<String> allowed) {
    String v = c.getString(key);
    if (!allowed.contains(v)) {
      String hint = Suggestions.closest(v, allowed).map(s -> "did you mean '" + s + "'? ").orElse("");
      throw bad(c, key, "'" + v + "' is not allowed; " + hint + "allowed: " + String.join(", ", allowed));
    }
    return v;
  }

  /** A bad-value error located at the value's origin. */
  public static ConfigException bad(Config c, String key, String message) {
    return new ConfigException.BadValue(c.getValue(key).origin(), key, message);
  }
}
