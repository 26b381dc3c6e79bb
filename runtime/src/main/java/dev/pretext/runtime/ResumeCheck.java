package dev.pretext.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import dev.pretext.runtime.config.ConfigProblem;
import dev.pretext.runtime.config.EffectiveSettings;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.config.Sweeps;
import dev.pretext.runtime.report.EntryFiles;
import dev.pretext.runtime.report.ResultsWriter;
import dev.pretext.runtime.report.WriteFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Keeps {@code --resume} from mixing results of different settings in one table: the suite may add
 * seeds, methods and baselines, but every setting the finished entries were produced with (data,
 * encoder, training, evaluation, and the own settings of each method that has results or a
 * checkpoint) must be unchanged. A method that has neither may still be retuned.
 */
final class ResumeCheck {

  /**
   * Keys that only choose what runs, or how fast (threads), not what is computed; they may change
   * between a run and its resumption. A sweep chooses which points run; each point's settings are
   * compared as a method's are.
   */
  private static final Set<String> RUN_SET = Set.of("seeds", "methods", "baselines", "output", "threads",
      "sweep");

  private ResumeCheck() {}

  /**
   * Fails with a plain message naming the file and what to do when the folder's results.json or
   * resolved.conf cannot be read back (cut short, edited by hand): nothing can be resumed from it.
   * Called before the data loads.
   */
  static void requireReadable(Path folder) {
    List<ConfigProblem> problems = new ArrayList<>();
    Path json = folder.resolve("results.json");
    try {
      ResultsWriter.readEntries(folder);
    } catch (IOException e) {
      String problem = e instanceof ResultsWriter.UnreadableResultsException u ? u.problem()
          : WriteFailedException.reason(e);
      problems.add(unreadable(json, problem));
    }
    Path conf = folder.resolve("resolved.conf");
    if (Files.exists(conf)) {
      try {
        ConfigFactory.parseFile(conf.toFile()).resolve();
      } catch (ConfigException e) {
        problems.add(unreadable(conf, ConfigProblem.of(e).message()));
      }
    }
    if (!problems.isEmpty()) {
      throw new SuiteConfigException("--resume into " + folder, problems);
    }
  }

  private static ConfigProblem unreadable(Path file, String problem) {
    return new ConfigProblem(file.toString(), "", "cannot be read back (" + problem + "), so the run"
        + " cannot be resumed from it. Move it aside (e.g. to " + file.getFileName() + ".broken) and run"
        + " again with --resume to compute its entries again, or run without --resume (the folder is"
        + " moved aside and the suite starts over)");
  }

  /** Fails with every changed setting, naming the folder; no-op when it holds no earlier config. */
  static void requireSameSettings(Path folder, Config resolved) {
    requireSameSettings(folder, resolved, null);
  }

  /**
   * As {@link #requireSameSettings(Path, Config)}, and also compares the components' effective
   * settings ({@code components} now against the earlier results.json's, when it has them), which
   * catches a plugin whose defaults changed under an unchanged suite.
   */
  static void requireSameSettings(Path folder, Config resolved, Config components) {
    requireSameSettings(folder, resolved, components, false);
  }

  /**
   * As {@link #requireSameSettings(Path, Config, Config)}; with {@code reevaluating}, the frozen
   * protocols' settings ({@code evaluation.*} but fine-tune) may differ: the run measures again.
   */
  static void requireSameSettings(Path folder, Config resolved, Config components, boolean reevaluating) {
    Path earlier = folder.resolve("resolved.conf");
    if (!Files.exists(earlier)) {
      return;
    }
    // A setting added to Pretext after the earlier run is absent there; it ran with its default.
    Config reference = SuiteLoader.reference();
    Config before = ConfigFactory.parseFile(earlier.toFile()).resolve().withFallback(reference).getConfig("suite");
    Config now = resolved.withFallback(reference).getConfig("suite");
    Set<String> started = startedMethods(folder);
    List<ConfigProblem> problems = new ArrayList<>();
    for (String key : changedSettings(before, now, started)) {
      if (reevaluating && key.startsWith("evaluation.") && !key.startsWith("evaluation.fine-tune.")) {
        continue;
      }
      problems.add(changed(earlier, "suite." + key));
    }
    Config componentsBefore = earlierComponents(folder);
    if (components != null && componentsBefore != null) {
      for (String key : changedComponents(componentsBefore, components, started)) {
        problems.add(changed(folder.resolve("results.json"), "components." + key));
      }
    }
    if (!problems.isEmpty()) {
      throw new SuiteConfigException("--resume into " + folder, problems);
    }
  }

  private static ConfigProblem changed(Path file, String key) {
    return new ConfigProblem(file.toString(), key,
        "differs from the run being resumed; its results would not be comparable. Run without"
            + " --resume (earlier results are moved aside) or restore the setting");
  }

  /** The {@code components} block of the earlier results.json, or null if it has none. */
  private static Config earlierComponents(Path folder) {
    Path json = folder.resolve("results.json");
    if (!Files.exists(json)) {
      return null;
    }
    Config results = ConfigFactory.parseFile(json.toFile());
    return results.hasPath("components") ? results.getConfig("components") : null;
  }

  /**
   * Leaf keys of the encoder (if any method started), of started methods and of the own encoders of
   * started methods and baselines that differ.
   */
  static List<String> changedComponents(Config before, Config now, Set<String> startedMethods) {
    List<String> changed = new ArrayList<>();
    if (!startedMethods.isEmpty()) {
      changed.addAll(changedLeaves(before, now, "encoder"));
    }
    for (String block : List.of("methods", EffectiveSettings.ENCODERS)) {
      if (!now.hasPath(block)) {
        continue;
      }
      for (String method : now.getObject(block).keySet()) {
        String path = block + "." + ConfigUtil.joinPath(method);
        if (startedMethods.contains(EntryFiles.stem(method)) && before.hasPath(path)) {
          changed.addAll(changedLeaves(before, now, path));
        }
      }
    }
    return changed;
  }

  private static List<String> changedLeaves(Config before, Config now, String path) {
    if (!before.hasPath(path) || !now.hasPath(path)) {
      return List.of();
    }
    Config b = before.getConfig(path);
    Config n = now.getConfig(path);
    Set<String> keys = new TreeSet<>();
    b.entrySet().forEach(e -> keys.add(e.getKey()));
    n.entrySet().forEach(e -> keys.add(e.getKey()));
    List<String> changed = new ArrayList<>();
    for (String key : keys) {
      if (!Objects.equals(value(b, key), value(n, key))) {
        changed.add(path + "." + key);
      }
    }
    return changed;
  }

  /**
   * Methods with results in {@code results.json} or a pretraining folder under {@code work/}, by the
   * stem of their file names ({@link EntryFiles}: a sweep point's name made plain).
   */
  static Set<String> startedMethods(Path folder) {
    Set<String> started = new TreeSet<>();
    try {
      ResultsWriter.readEntries(folder).forEach(e -> started.add(EntryFiles.stem(e.name())));
      Path work = folder.resolve("work");
      if (Files.isDirectory(work)) {
        try (Stream<Path> runs = Files.list(work)) {
          runs.map(p -> p.getFileName().toString())
              .filter(n -> n.matches(".+-seed-?\\d+"))
              .forEach(n -> started.add(n.substring(0, n.lastIndexOf("-seed"))));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the earlier run in " + folder, e);
    }
    return started;
  }

  static List<String> changedSettings(Config before, Config now, Set<String> startedMethods) {
    Set<String> keys = new TreeSet<>();
    before.entrySet().forEach(e -> keys.add(e.getKey()));
    now.entrySet().forEach(e -> keys.add(e.getKey()));
    List<String> changed = new ArrayList<>();
    for (String key : keys) {
      if (!RUN_SET.contains(key.split("\\.", 2)[0]) && !Objects.equals(value(before, key), value(now, key))) {
        changed.add(key);
      }
    }
    for (String list : List.of("methods", "baselines")) {
      Map<String, Object> earlier = byName(before, list);
      Map<String, Object> current = byName(now, list);
      for (var m : earlier.entrySet()) {
        if (startedMethods.contains(EntryFiles.stem(m.getKey())) && current.containsKey(m.getKey())
            && !m.getValue().equals(current.get(m.getKey()))) {
          changed.add(list + "[" + m.getKey() + "]");
        }
      }
    }
    return changed;
  }

  private static Object value(Config c, String key) {
    ConfigValue v = c.hasPathOrNull(key) && !c.getIsNull(key) ? c.getValue(key) : null;
    return v == null ? null : v.unwrapped();
  }

  /**
   * The entries of {@code suite.methods} or {@code suite.baselines} by name (a baseline object's
   * encoder, like a method's, is part of what produced its results).
   */
  private static Map<String, Object> byName(Config suite, String list) {
    if (list.equals("methods")) {
      // A swept method's entries are its points.
      return Sweeps.methodsByName(suite);
    }
    Map<String, Object> byName = new LinkedHashMap<>();
    if (!suite.hasPath(list) || suite.getValue(list).valueType() != com.typesafe.config.ConfigValueType.LIST) {
      return byName;
    }
    for (ConfigValue entry : suite.getList(list)) {
      if (entry instanceof ConfigObject object) {
        Config m = object.toConfig();
        byName.put(m.hasPath("name") ? m.getString("name") : m.getString("type"), object.unwrapped());
      } else {
        // The short form `methods = [rotation]` is the task with its defaults; a baseline's name is its type.
        String type = String.valueOf(entry.unwrapped());
        byName.put(type, Map.of("type", type));
      }
    }
    return byName;
  }
}
