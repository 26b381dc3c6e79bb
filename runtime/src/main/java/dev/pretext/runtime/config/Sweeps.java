package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code suite.sweep}: lists of values for methods' settings, expanded at load into one method entry
 * per point. A key is a method's name (its {@code name}, else its type) followed by a path inside
 * that method's entry, e.g. {@code "simclr.loss.temperature" = [0.1, 0.2, 0.5]}. A method with swept
 * keys is replaced by the cartesian product of their values, each point an ordinary method entry
 * named after its values: {@code simclr[temperature=0.2,batch-size=128]}. The keys are taken in
 * sorted order, so names depend on what is swept, not on how the file is laid out (a resumed run
 * reads them back from resolved.conf).
 */
public final class Sweeps {

  /** The suite key. */
  static final String KEY = "sweep";

  private static final String ENCODER = "encoder";

  private Sweeps() {}

  /**
   * A swept key.
   *
   * @param key the key as written, e.g. {@code simclr.loss.temperature}
   * @param method the method it sweeps
   * @param path the path inside the method's entry, e.g. {@code loss.temperature}
   * @param label its short name in point names and tables: the last segment of {@code path}, more
   *     of it when two keys of one method end alike
   */
  record Axis(String key, String method, String path, String label, List<ConfigValue> values) {
    /** The key's full path for messages: {@code suite.sweep."simclr.loss.temperature"}. */
    String display() {
      return display(key);
    }

    static String display(String key) {
      return "suite." + KEY + ".\"" + key + "\"";
    }
  }

  /**
   * One point of a method's sweep.
   *
   * @param method the method's entry with the point's values set
   * @param assignment each swept key's value at this point
   */
  record Point(String name, Config method, Suite.SweepPoint point, Map<Axis, ConfigValue> assignment) {}

  /**
   * The swept keys of {@code sweep} (null: none) by method name, each method's in sorted order;
   * a key that cannot be used is a problem naming it, and is left out.
   *
   * @param methods the names of the suite's methods as written
   */
  static Map<String, List<Axis>> axes(ConfigValue sweep, Collection<String> methods, List<ConfigProblem> problems) {
    Map<String, List<Axis>> byMethod = new LinkedHashMap<>();
    if (sweep == null || sweep.valueType() == ConfigValueType.NULL) {
      return byMethod;
    }
    if (!(sweep instanceof ConfigObject object)) {
      problems.add(ConfigProblem.at(sweep.origin(), "suite." + KEY, "expected an object { \"<method>.<key>\" ="
          + " [values], … }, got " + sweep.valueType().name().toLowerCase(Locale.ROOT)));
      return byMethod;
    }
    Map<String, ConfigValue> keys = new TreeMap<>();
    flatten(object, "", keys);
    for (var e : keys.entrySet()) {
      Axis axis = axis(e.getKey(), e.getValue(), methods, problems);
      if (axis != null) {
        byMethod.computeIfAbsent(axis.method(), m -> new ArrayList<>()).add(axis);
      }
    }
    byMethod.replaceAll((m, list) -> labelled(list));
    return byMethod;
  }

  /** Nested objects are paths ({@code sweep { simclr.loss.temperature = […] }} is the same key). */
  private static void flatten(ConfigObject object, String prefix, Map<String, ConfigValue> out) {
    for (var e : object.entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof ConfigObject nested) {
        flatten(nested, key, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static Axis axis(String key, ConfigValue value, Collection<String> methods, List<ConfigProblem> problems) {
    String where = Axis.display(key);
    // The longest method name the key starts with: names may hold dots.
    String method = methods.stream().filter(m -> key.startsWith(m + ".")).max(Comparator.comparingInt(String::length))
        .orElse(null);
    if (method == null) {
      String typed = methods.contains(key) ? key : key.split("\\.", 2)[0];
      if (methods.contains(typed)) {
        problems.add(ConfigProblem.at(value.origin(), where, "names the method '" + typed + "' but no key inside"
            + " it; write \"" + typed + ".<key>\", e.g. \"" + typed + ".training.learning-rate\""));
      } else {
        String hint = Suggestions.closest(typed, methods).map(x -> "did you mean '" + x + "'? ").orElse("");
        problems.add(ConfigProblem.at(value.origin(), where, "unknown method '" + typed + "'; " + hint
            + "a swept key starts with a method's name (its `name`, else its type): "
            + (methods.isEmpty() ? "the suite has no methods" : String.join(", ", methods))));
      }
      return null;
    }
    String path = key.substring(method.length() + 1);
    String first = path.split("\\.", 2)[0];
    if (first.equals("name") || first.equals("type")) {
      problems.add(ConfigProblem.at(value.origin(), where, "'" + first + "' cannot be swept: a sweep varies a"
          + " method's settings, not which method it is; list another method in suite.methods instead"));
      return null;
    }
    if (!(value instanceof com.typesafe.config.ConfigList list)) {
      problems.add(ConfigProblem.at(value.origin(), where, "expected a list [ … ] of the values to try, got "
          + value.valueType().name().toLowerCase(Locale.ROOT) + " " + value.render(ConfigRenderOptions.concise())
          + (value.valueType() == ConfigValueType.LIST ? "" : "; write [" + value.render(ConfigRenderOptions.concise())
              + "] for a single value")));
      return null;
    }
    if (list.isEmpty()) {
      problems.add(ConfigProblem.at(value.origin(), where, "needs at least one value"));
      return null;
    }
    Set<String> seen = new HashSet<>();
    for (ConfigValue v : list) {
      if (!seen.add(render(v))) {
        problems.add(ConfigProblem.at(v.origin(), where, "lists " + render(v) + " twice; each point needs a"
            + " distinct value"));
        return null;
      }
    }
    return new Axis(key, method, path, null, List.copyOf(list));
  }

  /** Short names: the last segment of each path, more segments where two keys of one method end alike. */
  private static List<Axis> labelled(List<Axis> axes) {
    List<Axis> out = new ArrayList<>();
    for (Axis a : axes) {
      List<String> segments = List.of(a.path().split("\\."));
      int n = 1;
      while (n < segments.size() && sharesSuffix(a, n, axes)) {
        n++;
      }
      out.add(new Axis(a.key(), a.method(), a.path(),
          String.join(".", segments.subList(segments.size() - n, segments.size())), a.values()));
    }
    return out;
  }

  private static boolean sharesSuffix(Axis a, int n, List<Axis> axes) {
    String suffix = suffix(a.path(), n);
    return axes.stream().anyMatch(o -> o != a && suffix(o.path(), n).equals(suffix));
  }

  private static String suffix(String path, int n) {
    String[] s = path.split("\\.");
    return String.join(".", java.util.Arrays.asList(s).subList(Math.max(0, s.length - n), s.length));
  }

  /**
   * The points of a method swept by {@code axes}: the cartesian product of their values, the first
   * key's values outermost. A swept {@code encoder.…} key of a method that trains the suite's
   * encoder starts from the suite's encoder block ({@code suiteEncoder}).
   */
  static List<Point> points(String name, Config method, List<Axis> axes, ConfigValue suiteEncoder) {
    Config base = method;
    if (!base.hasPath(ENCODER) && suiteEncoder != null
        && axes.stream().anyMatch(a -> a.path().startsWith(ENCODER + "."))) {
      base = base.withValue(ENCODER, suiteEncoder);
    }
    List<Point> points = new ArrayList<>();
    int[] index = new int[axes.size()];
    while (true) {
      Config config = base;
      Map<Axis, ConfigValue> assignment = new LinkedHashMap<>();
      Map<String, String> values = new LinkedHashMap<>();
      List<String> parts = new ArrayList<>();
      for (int k = 0; k < axes.size(); k++) {
        Axis a = axes.get(k);
        ConfigValue v = a.values().get(index[k]);
        config = config.withValue(a.path(), v);
        assignment.put(a, v);
        values.put(a.label(), render(v));
        parts.add(a.label() + "=" + render(v));
      }
      points.add(new Point(name + "[" + String.join(",", parts) + "]", config,
          new Suite.SweepPoint(name, axes.stream().map(Axis::key).toList(), values), assignment));
      int k = axes.size() - 1;
      while (k >= 0 && ++index[k] == axes.get(k).values().size()) {
        index[k] = 0;
        k--;
      }
      if (k < 0) {
        return points;
      }
    }
  }

  /** A value as it appears in a point's name: a string as is, anything else as HOCON writes it. */
  static String render(ConfigValue v) {
    return v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped()
        : v.render(ConfigRenderOptions.concise().setJson(false));
  }

  /**
   * A problem found in a point's method entry, told in terms of the sweep: a message naming a swept
   * key under the method's path ({@code suite.methods[0].loss.temperature}) names it as written in
   * the sweep ({@code suite.sweep."simclr.loss.temperature"}); a check naming the key relative to its
   * block (training's {@code 'batch-size'}) at the place a swept value was written is put at that key.
   */
  static ConfigProblem relocate(ConfigProblem problem, String methodPath, Point point) {
    String path = problem.path();
    String message = problem.message();
    boolean named = false;
    List<Axis> longestFirst = new ArrayList<>(point.assignment().keySet());
    longestFirst.sort(Comparator.comparingInt((Axis a) -> a.path().length()).reversed());
    for (Axis a : longestFirst) {
      Pattern p = Pattern.compile(Pattern.quote(methodPath + "." + a.path()) + "(?![\\w-])");
      String replacement = Matcher.quoteReplacement(a.display());
      String newPath = p.matcher(path).replaceAll(replacement);
      String newMessage = p.matcher(message).replaceAll(replacement);
      named |= !newPath.equals(path) || !newMessage.equals(message);
      path = newPath;
      message = newMessage;
    }
    if (!named) {
      for (var e : point.assignment().entrySet()) {
        Axis a = e.getKey();
        String last = a.path().substring(a.path().lastIndexOf('.') + 1);
        if (problem.location().equals(ConfigProblem.describe(e.getValue().origin()))
            && (message.contains("'" + last + "'") || path.equals(last) || path.endsWith("." + last))) {
          path = a.display();
          message = message + " (value " + render(e.getValue()) + ")";
          break;
        }
      }
    }
    return new ConfigProblem(problem.location(), path, message);
  }

  /**
   * The methods of a resolved {@code suite} block after expansion, by entry name, each as its
   * settings (what {@code --resume} compares per entry). Keys that do not apply are left out, as
   * the loader refused them when the suite was run.
   */
  public static Map<String, Object> methodsByName(Config suite) {
    Map<String, Object> byName = new LinkedHashMap<>();
    if (!suite.hasPath("methods") || suite.getValue("methods").valueType() != ConfigValueType.LIST) {
      return byName;
    }
    Map<String, Config> written = new LinkedHashMap<>();
    for (ConfigValue entry : suite.getList("methods")) {
      Config m = entry instanceof ConfigObject object ? object.toConfig()
          : ConfigValueFactory.fromMap(Map.of("type", entry.unwrapped())).toConfig();
      if (m.hasPath("type")) {
        written.put(m.hasPath("name") ? m.getString("name") : m.getString("type"), m);
      }
    }
    Map<String, List<Axis>> axes = axes(suite.root().get(KEY), written.keySet(), new ArrayList<>());
    ConfigValue suiteEncoder = suite.hasPath(ENCODER) ? suite.getValue(ENCODER) : null;
    written.forEach((name, m) -> {
      if (axes.containsKey(name)) {
        points(name, m, axes.get(name), suiteEncoder).forEach(p -> byName.put(p.name(), p.method().root().unwrapped()));
      } else {
        byName.put(name, m.root().unwrapped());
      }
    });
    return byName;
  }
}
