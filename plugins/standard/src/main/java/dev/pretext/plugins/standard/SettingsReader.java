package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;

/**
 * Range-checked reads of component settings. Errors are {@link ConfigException.BadValue}s at
 * the value's file and line, naming the key by its full path in the suite.
 */
final class SettingsReader {

  private final Config config;
  private final String path;

  /**
   * @param config the component's resolved settings
   * @param path where they live in the suite, e.g. {@code suite.methods[0].augmentations[1]}
   */
  SettingsReader(Config config, String path) {
    this.config = config;
    this.path = path;
  }

  /** A probability in [0, 1]. */
  double probability(String key) {
    return doubleIn(key, 0, 1);
  }

  /** A number in [min, max]. */
  double doubleIn(String key, double min, double max) {
    double v = config.getDouble(key);
    if (!(v >= min && v <= max)) {
      throw bad(key, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  /**
   * A range {@code [low, high]} with {@code min <= low <= high <= max} ({@code low > min} too when
   * {@code exclusiveMin}).
   */
  double[] range(String key, double min, double max, boolean exclusiveMin) {
    List<Double> values = config.getDoubleList(key);
    if (values.size() != 2) {
      throw bad(key, "must be a range [low, high] of two numbers, got " + values);
    }
    double low = values.get(0);
    double high = values.get(1);
    boolean lowOk = exclusiveMin ? low > min : low >= min;
    if (!(lowOk && low <= high && high <= max)) {
      throw bad(key, "must be [low, high] with " + min + (exclusiveMin ? " < " : " <= ")
          + "low <= high <= " + max + ", got " + values);
    }
    return new double[] {low, high};
  }

  /** A bad-value error at the origin of {@code key}. */
  ConfigException bad(String key, String message) {
    return new ConfigException.BadValue(config.getValue(key).origin(), path + "." + key, message);
  }
}
