package dev.pretext.toolkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.ComponentContext;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Range-checked reads of a component's settings. A value out of range is a {@link
 * ConfigException.BadValue} at the value's origin (file and line), naming the key by its full path in
 * the suite, the bound and the value, e.g. {@code positiveInt("queue-size")} on {@code
 * suite.methods[2]} gives "suite.conf: 12: Invalid value at 'suite.methods[2].queue-size': must be >
 * 0, got -3".
 *
 * <p>Keys may be paths ({@code "head.hidden"}); {@link #at} reads a nested object with its own
 * path. Types are not checked here: the runtime has checked them against the plugin's {@code
 * reference.conf} before the component is created.
 */
public final class Settings {

  private final Config config;
  private final String path;

  /**
   * @param config the component's resolved settings
   * @param path where they live in the suite, e.g. {@code suite.methods[0].augmentations[1]}
   */
  public Settings(Config config, String path) {
    this.config = config;
    this.path = path;
  }

  /** The settings of the component being created with {@code context}. */
  public static Settings of(ComponentContext context) {
    return new Settings(context.config(), context.configPath());
  }

  /** The settings read. */
  public Config config() {
    return config;
  }

  /** Where they live in the suite. */
  public String path() {
    return path;
  }

  /** The full suite path of {@code key}, for messages. */
  public String path(String key) {
    return path + "." + key;
  }

  /** The nested object at {@code key}, with its own path. */
  public Settings at(String key) {
    return new Settings(config.getConfig(key), path(key));
  }

  /** An integer in [min, max]. */
  public int intIn(String key, int min, int max) {
    return intIn(key, min, max, null);
  }

  /**
   * An integer in [min, max]; {@code why} (may be null) explains the bounds in the message, e.g.
   * "must be between 1 and 28 (at most the image's smaller side), got 30".
   */
  public int intIn(String key, int min, int max, String why) {
    int v = config.getInt(key);
    if (v < min || v > max) {
      throw bad(key, "must be between " + min + " and " + max + because(why) + ", got " + v);
    }
    return v;
  }

  /** A list of one or more integers, each in [min, max] (e.g. an encoder's widths per block). */
  public List<Integer> intListIn(String key, int min, int max) {
    List<Integer> values = config.getIntList(key);
    if (values.isEmpty() || values.stream().anyMatch(v -> v < min || v > max)) {
      throw bad(key, "must list one or more values, each between " + min + " and " + max + ", got " + values);
    }
    return values;
  }

  /** An integer of at least {@code min}. */
  public int intAtLeast(String key, int min) {
    return intAtLeast(key, min, null);
  }

  /** An integer of at least {@code min}; {@code why} (may be null), e.g. "0 = a linear head". */
  public int intAtLeast(String key, int min, String why) {
    int v = config.getInt(key);
    if (v < min) {
      throw bad(key, "must be >= " + min + because(why) + ", got " + v);
    }
    return v;
  }

  /** An integer greater than 0. */
  public int positiveInt(String key) {
    int v = config.getInt(key);
    if (v <= 0) {
      throw bad(key, "must be > 0, got " + v);
    }
    return v;
  }

  /** One of the integers {@code allowed}. */
  public int intOneOf(String key, int... allowed) {
    int v = config.getInt(key);
    if (Arrays.stream(allowed).noneMatch(a -> a == v)) {
      throw bad(key, "must be " + either(Arrays.stream(allowed).mapToObj(Integer::toString).toList())
          + ", got " + v);
    }
    return v;
  }

  /** A number in [min, max]. */
  public double doubleIn(String key, double min, double max) {
    double v = config.getDouble(key);
    if (!(v >= min && v <= max)) {
      throw bad(key, "must be between " + number(min) + " and " + number(max) + ", got " + number(v));
    }
    return v;
  }

  /** A number in (min, max]: e.g. a width or temperature that must not be 0. */
  public double doubleInExclusiveMin(String key, double min, double max) {
    double v = config.getDouble(key);
    if (!(v > min && v <= max)) {
      throw bad(key, "must be in (" + number(min) + ", " + number(max) + "], got " + number(v));
    }
    return v;
  }

  /** A number greater than 0. */
  public double positiveDouble(String key) {
    double v = config.getDouble(key);
    if (!(v > 0 && v < Double.POSITIVE_INFINITY)) {
      throw bad(key, "must be > 0, got " + number(v));
    }
    return v;
  }

  /** A probability in [0, 1]. */
  public double probability(String key) {
    return doubleIn(key, 0, 1);
  }

  /** A fraction in (0, 1), both ends excluded. */
  public double fraction(String key) {
    double v = config.getDouble(key);
    if (!(v > 0 && v < 1)) {
      throw bad(key, "must be a fraction in (0, 1), got " + number(v));
    }
    return v;
  }

  /**
   * A range {@code [low, high]} of two numbers with {@code min <= low <= high <= max} ({@code low >
   * min} when {@code exclusiveMin}).
   */
  public double[] range(String key, double min, double max, boolean exclusiveMin) {
    List<Double> values = config.getDoubleList(key);
    if (values.size() != 2) {
      throw bad(key, "must be a range [low, high] of two numbers, got " + numbers(values));
    }
    double low = values.get(0);
    double high = values.get(1);
    boolean lowOk = exclusiveMin ? low > min : low >= min;
    if (!(lowOk && low <= high && high <= max)) {
      throw bad(key, "must be [low, high] with " + number(min) + (exclusiveMin ? " < " : " <= ")
          + "low <= high <= " + number(max) + ", got " + numbers(values));
    }
    return new double[] {low, high};
  }

  /** One of the strings {@code allowed}. */
  public String oneOf(String key, String... allowed) {
    String v = config.getString(key);
    if (!Arrays.asList(allowed).contains(v)) {
      throw bad(key, "must be " + either(Arrays.stream(allowed).map(a -> "'" + a + "'").toList())
          + ", got '" + v + "'");
    }
    return v;
  }

  /**
   * A bad-value error at the origin of {@code key}, for checks the reads above do not cover (a
   * bound that depends on another setting or on the images).
   */
  public ConfigException.BadValue bad(String key, String message) {
    return new ConfigException.BadValue(config.getValue(key).origin(), path(key), message);
  }

  private static String because(String why) {
    return why == null ? "" : " (" + why + ")";
  }

  /** "a", "a or b", "a, b or c". */
  private static String either(List<String> options) {
    if (options.size() <= 1) {
      return String.join("", options);
    }
    return String.join(", ", options.subList(0, options.size() - 1)) + " or " + options.get(options.size() - 1);
  }

  /** A bound or value as written: 1 rather than 1.0, 0.02 as such. */
  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static String numbers(List<Double> values) {
    return values.stream().map(Settings::number).collect(Collectors.joining(", ", "[", "]"));
  }
}
