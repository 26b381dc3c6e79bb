package dev.pretext.runtime.config;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a suite file, applies {@code --set} overrides and validates everything — keys, types,
 * ranges, component types — reporting all problems at once, before any training.
 */
public final class SuiteLoader {

  private static final String REFERENCE = "/dev/pretext/runtime/suite-reference.conf";
  private static final String PRETRAINING_DATA = "pretraining-data";
  private static final String ENCODER = "encoder";
  private static final Set<String> BASELINE_KEYS = Set.of("type", "name", ENCODER);

  private final PluginRegistry plugins;

  @Inject
  public SuiteLoader(PluginRegistry plugins) {
    this.plugins = plugins;
  }

  /** The suite's defaults, with their comments (for {@code describe suite}). */
  public static Config reference() {
    return ConfigFactory.parseURL(SuiteLoader.class.getResource(REFERENCE),
        ConfigParseOptions.defaults().setOriginDescription("suite defaults"));
  }

  /**
   * Loads and validates a suite.
   *
   * @param overrides {@code key=value} strings in HOCON syntax, applied over the file
   * @throws SuiteConfigException listing every problem found
   */
  public Suite load(Path file, List<String> overrides) {
    List<ConfigProblem> problems = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      problems.add(new ConfigProblem(file.toString(), "", "suite file not found"));
      throw new SuiteConfigException("suite " + file, problems);
    }
    Config user;
    try {
      // A bare file name has no parent folder, and Typesafe Config then looks for the file's
      // relative includes on the class path, where they are silently missing: "./" gives it one.
      Path located = file.getParent() == null ? Path.of(".").resolve(file) : file;
      user = ConfigFactory.parseFile(located.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      for (String override : overrides) {
        user = parseOverride(override, problems).withFallback(user);
      }
      user = user.resolve();
    } catch (ConfigException e) {
      problems.add(ConfigProblem.of(e));
      throw new SuiteConfigException("suite " + file, problems);
    }
    Suite suite = validate(user, problems);
    if (!problems.isEmpty()) {
      throw new SuiteConfigException("suite " + file.getFileName(), problems);
    }
    return suite;
  }

  private static Config parseOverride(String override, List<ConfigProblem> problems) {
    ConfigParseOptions options = ConfigParseOptions.defaults().setOriginDescription("--set " + override);
    if (!override.contains("=")) {
      problems.add(new ConfigProblem("--set " + override, "", "expected key=value"));
      return ConfigFactory.empty();
    }
    try {
      return ConfigFactory.parseString(override, options);
    } catch (ConfigException e) {
      problems.add(ConfigProblem.of(e));
      return ConfigFactory.empty();
    }
  }

  private Suite validate(Config user, List<ConfigProblem> problems) {
    Config reference = reference();
    ConfigValidator.validate(user.root(), reference.root(), "", Set.of("suite"), problems);
    if (!user.hasPath("suite") || user.getValue("suite").valueType() != ConfigValueType.OBJECT) {
      problems.add(new ConfigProblem(ConfigProblem.describe(user.origin()), "suite",
          "the file must define a 'suite { … }' object"));
      return null;
    }
    ConfigObject suiteRef = reference.getObject("suite");
    ConfigObject suiteUser = user.getObject("suite");
    // Baselines may be objects, which the reference's list of names cannot describe: read below.
    // Sweeps name methods and keys of the user's choosing: read with the methods.
    ConfigValidator.validate(suiteUser, suiteRef, "suite", Set.of("encoder", "methods", "baselines", Sweeps.KEY),
        problems);
    Config merged = user.withFallback(reference).resolve();
    Config s = merged.getConfig("suite");

    String name = read(problems, () -> s.getString("name"));
    List<Long> seeds = read(problems, () -> s.getLongList("seeds"));
    if (seeds != null && seeds.isEmpty()) {
      problems.add(ConfigProblem.at(s.getValue("seeds").origin(), "suite.seeds", "needs at least one seed"));
    }
    Suite.DataSettings data = read(problems, () -> Suite.DataSettings.from(s.getConfig("data"),
        suiteUser.toConfig().hasPath("data") ? suiteUser.toConfig().getConfig("data") : null,
        "suite.data", false));
    // Present only when the user wrote the block; its defaults alone mean nothing.
    Config userPretraining = suiteUser.toConfig().hasPath(PRETRAINING_DATA)
        ? suiteUser.toConfig().getConfig(PRETRAINING_DATA) : null;
    Suite.DataSettings pretrainingData = userPretraining == null ? null
        : read(problems, () -> Suite.DataSettings.from(s.getConfig(PRETRAINING_DATA),
            userPretraining, "suite." + PRETRAINING_DATA, true));
    Suite.TrainingSettings training = read(problems, () -> Suite.TrainingSettings.from(s.getConfig("training")));
    Suite.EvaluationSettings evaluation =
        read(problems, () -> Suite.EvaluationSettings.from(s.getConfig("evaluation")));
    SegmentationSettings segmentation = read(problems, () -> SegmentationSettings.from(merged));
    if (evaluation != null && segmentation != null) {
      evaluation = evaluation.with(segmentation);
    }
    String threads = read(problems, () -> s.getString("threads"));
    if (threads != null) {
      try {
        dev.pretext.runtime.training.ComputeThreads.parse(threads, "suite.threads");
      } catch (IllegalArgumentException e) {
        problems.add(ConfigProblem.at(s.getValue("threads").origin(), "suite.threads",
            "must be 'auto' or a thread count of at least 1, got '" + threads + "'"));
      }
    }
    Integer workers = read(problems, () -> s.getInt("workers"));
    if (workers != null && workers < 1) {
      problems.add(ConfigProblem.at(s.getValue("workers").origin(), "suite.workers",
          "must be at least 1 (entries run at once), got " + workers));
    }
    long firstSeed = seeds == null || seeds.isEmpty() ? 0 : seeds.get(0);
    Components components = new Components(plugins, firstSeed,
        data == null ? Suite.DataSettings.defaults().shape() : data.shape());

    Suite.ComponentSpec encoder = readEncoder(s, components, problems);
    List<Suite.BaselineSpec> baselines = readBaselines(s, components, problems);
    // Tasks are created for the shape of the images they pretrain on.
    java.util.function.Function<Suite.DataSettings, Components> componentsFor = d -> d == null
        ? components : new Components(plugins, firstSeed, d.shape());
    Set<String> baselineNames = new HashSet<>(Suite.KNOWN_BASELINES);
    baselines.forEach(b -> baselineNames.add(b.name()));
    List<Suite.MethodSpec> methods = readMethods(s, componentsFor, merged, training,
        userPretraining, pretrainingData, baselineNames, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new Suite(name, seeds, Path.of(s.getString("output")), data, pretrainingData, encoder,
        training, methods,
        baselines, evaluation, threads, workers, merged);
  }

  /**
   * {@code suite.baselines}: names ({@code raw-pixels}, {@code random-init}, {@code supervised}) and
   * objects {@code { type = random-init | supervised | raw-pixels, name = …, encoder { … } }}; every
   * name unique.
   */
  private List<Suite.BaselineSpec> readBaselines(Config s, Components components, List<ConfigProblem> problems) {
    List<Suite.BaselineSpec> baselines = new ArrayList<>();
    // root().get: a `baselines = null` is a value here, where getValue would throw.
    ConfigValue list = s.root().get("baselines");
    if (list.valueType() != ConfigValueType.LIST) {
      problems.add(ConfigProblem.at(list.origin(), "suite.baselines",
          "expected a list [ … ] of baselines, got " + list.valueType().name().toLowerCase(java.util.Locale.ROOT)));
      return baselines;
    }
    Set<String> names = new HashSet<>();
    List<? extends ConfigValue> entries = s.getList("baselines");
    for (int i = 0; i < entries.size(); i++) {
      String path = "suite.baselines[" + i + "]";
      ConfigValue entry = entries.get(i);
      Suite.BaselineSpec baseline;
      if (entry.valueType() == ConfigValueType.STRING) {
        String type = (String) entry.unwrapped();
        if (!knownBaseline(type, entry.origin(), path, problems)) {
          continue;
        }
        baseline = Suite.BaselineSpec.named(type);
      } else if (entry instanceof ConfigObject object) {
        baseline = readBaselineObject(object, path, components, problems);
        if (baseline == null) {
          continue;
        }
      } else {
        problems.add(ConfigProblem.at(entry.origin(), path, "expected a baseline name ("
            + String.join(", ", Suite.KNOWN_BASELINES) + ") or { type = random-init | supervised, name = …,"
            + " encoder { type = … } }"));
        continue;
      }
      if (!names.add(baseline.name())) {
        problems.add(ConfigProblem.at(entry.origin(), path, "baseline name '" + baseline.name()
            + "' is used twice; each baseline needs a distinct name"));
        continue;
      }
      baselines.add(baseline);
    }
    return baselines;
  }

  private static boolean knownBaseline(String type, com.typesafe.config.ConfigOrigin origin, String path,
      List<ConfigProblem> problems) {
    if (Suite.KNOWN_BASELINES.contains(type)) {
      return true;
    }
    String hint = Suggestions.closest(type, Suite.KNOWN_BASELINES).map(x -> "did you mean '" + x + "'? ").orElse("");
    problems.add(ConfigProblem.at(origin, path,
        "unknown baseline '" + type + "'; " + hint + "known: " + String.join(", ", Suite.KNOWN_BASELINES)));
    return false;
  }

  /** A baseline written as an object; null (after saying why) when it is not usable. */
  private Suite.BaselineSpec readBaselineObject(ConfigObject object, String path, Components components,
      List<ConfigProblem> problems) {
    int before = problems.size();
    for (var e : object.entrySet()) {
      if (!BASELINE_KEYS.contains(e.getKey())) {
        String hint = Suggestions.closest(e.getKey(), BASELINE_KEYS).map(x -> "; did you mean '" + x + "'?")
            .orElse("; known keys: " + String.join(", ", new java.util.TreeSet<>(BASELINE_KEYS)));
        problems.add(ConfigProblem.at(e.getValue().origin(), path + "." + e.getKey(),
            "unknown key '" + e.getKey() + "'" + hint));
      }
    }
    Config baseline = object.toConfig();
    String type = stringAt(object, "type", path, problems);
    String name = stringAt(object, "name", path, problems);
    if (object.get("type") == null) {
      problems.add(ConfigProblem.at(object.origin(), path, "lacks 'type'; one of "
          + String.join(", ", Suite.KNOWN_BASELINES)));
    } else if (type != null) {
      knownBaseline(type, object.get("type").origin(), path + ".type", problems);
    }
    if (object.get("name") == null) {
      // Results, kept encoders and --method tell baselines apart by name alone.
      problems.add(ConfigProblem.at(object.origin(), path, "lacks 'name': a baseline written as an object"
          + " needs a name of its own for results and kept encoders, e.g. name = \""
          + (type == null ? "random-init" : type) + "-" + encoderTypeOf(baseline) + "\""));
    } else if (name != null && Suite.KNOWN_BASELINES.contains(name)) {
      problems.add(ConfigProblem.at(object.get("name").origin(), path + ".name", "'" + name
          + "' is the name of the baseline written as a name; give this one a distinct name, e.g. '"
          + name + "-" + encoderTypeOf(baseline) + "'"));
    }
    Suite.ComponentSpec encoder = null;
    if (object.get(ENCODER) != null && object.get(ENCODER).valueType() != ConfigValueType.NULL) {
      if (Suite.BaselineSpec.RAW_PIXELS.equals(type)) {
        problems.add(ConfigProblem.at(object.get(ENCODER).origin(), path + "." + ENCODER,
            "raw-pixels probes the images themselves and takes no encoder; remove it, or use type = random-init"
                + " or supervised"));
      } else {
        encoder = readOwnEncoder(object.get(ENCODER), path + "." + ENCODER, components, problems);
      }
    }
    return problems.size() > before ? null : new Suite.BaselineSpec(name, type, encoder);
  }

  /** The string at {@code key} of {@code object}; null (saying so if present) when it is not a string. */
  private static String stringAt(ConfigObject object, String key, String path, List<ConfigProblem> problems) {
    ConfigValue v = object.get(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.STRING) {
      problems.add(ConfigProblem.at(v.origin(), path + "." + key, "expected a string, got " + v.render()));
      return null;
    }
    return (String) v.unwrapped();
  }

  private static String encoderTypeOf(Config entry) {
    return entry.hasPath(ENCODER + ".type") ? String.valueOf(entry.getValue(ENCODER + ".type").unwrapped())
        : ENCODER;
  }

  /**
   * A method's or baseline's own {@code encoder { type = …, … }} at {@code path}: its settings over its
   * type's defaults, created once to check them; null (after saying why) when it is not an encoder.
   */
  private Suite.ComponentSpec readOwnEncoder(ConfigValue value, String path, Components components,
      List<ConfigProblem> problems) {
    String known = String.join(", ", plugins.types(ComponentKind.ENCODER));
    if (!(value instanceof ConfigObject object)) {
      problems.add(ConfigProblem.at(value.origin(), path, "expected an object { type = <encoder>, … }; known"
          + " encoders: " + known));
      return null;
    }
    if (object.get("type") == null) {
      problems.add(ConfigProblem.at(object.origin(), path, "lacks 'type'; known encoders: " + known));
      return null;
    }
    String type = stringAt(object, "type", path, problems);
    if (type == null) {
      return null;
    }
    if (plugins.factory(ComponentKind.ENCODER, type).isEmpty()) {
      problems.add(ConfigProblem.at(object.get("type").origin(), path + ".type",
          plugins.unknownTypeMessage(ComponentKind.ENCODER, type)));
      return null;
    }
    Config settings = object.toConfig();
    int before = problems.size();
    tryCreate(problems, () -> components.create(Encoder.class, type, settings, path));
    return problems.size() > before ? null : new Suite.ComponentSpec(type, settings, path);
  }

  private Suite.ComponentSpec readEncoder(Config s, Components components, List<ConfigProblem> problems) {
    Config settings = s.getConfig("encoder");
    String type = read(problems, () -> settings.getString("type"));
    if (type == null) {
      return null;
    }
    Suite.ComponentSpec spec = new Suite.ComponentSpec(type, settings, "suite.encoder");
    tryCreate(problems, () -> components.create(Encoder.class, type, settings, "suite.encoder"));
    return spec;
  }

  /** A method entry as written: where it is, its settings (a bare task name made {@code { type }}) and name. */
  private record Written(String path, ConfigValue entry, Config method, String name) {}

  private List<Suite.MethodSpec> readMethods(
      Config s, java.util.function.Function<Suite.DataSettings, Components> componentsFor,
      Config merged, Suite.TrainingSettings suiteTraining, Config userPretraining,
      Suite.DataSettings suitePretraining, Set<String> baselineNames, List<ConfigProblem> problems) {
    List<Suite.MethodSpec> methods = new ArrayList<>();
    List<? extends ConfigValue> entries = read(problems, () -> s.getList("methods"));
    if (entries == null) {
      return methods;
    }
    if (entries.isEmpty()) {
      problems.add(ConfigProblem.at(s.getValue("methods").origin(), "suite.methods",
          "lists no methods; known tasks: " + String.join(", ", plugins.types(ComponentKind.PRETEXT_TASK))));
    }
    List<Written> written = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String path = "suite.methods[" + i + "]";
      ConfigValue entry = entries.get(i);
      Config method;
      if (entry.valueType() == ConfigValueType.STRING) {
        // Shorthand: a bare task type.
        method = ConfigValueFactory.fromMap(java.util.Map.of("type", entry.unwrapped()), entry.origin().description())
            .toConfig();
      } else if (entry instanceof ConfigObject object) {
        method = object.toConfig();
      } else {
        problems.add(ConfigProblem.at(entry.origin(), path, "expected { type = <task>, … } or a task name"));
        continue;
      }
      if (!method.hasPath("type")) {
        problems.add(ConfigProblem.at(entry.origin(), path, "lacks 'type'; known tasks: "
            + String.join(", ", plugins.types(ComponentKind.PRETEXT_TASK))));
        continue;
      }
      String type = method.getString("type");
      written.add(new Written(path, entry, method, method.hasPath("name") ? method.getString("name") : type));
    }
    var axes = Sweeps.axes(s.root().get(Sweeps.KEY),
        written.stream().map(Written::name).distinct().toList(), problems);
    Set<String> names = new HashSet<>();
    // Entries are filed by a stem of their name (EntryFiles): two names must not share one.
    java.util.Map<String, String> stems = new java.util.HashMap<>();
    baselineNames.forEach(b -> stems.put(dev.pretext.runtime.report.EntryFiles.stem(b), b));
    for (Written w : written) {
      List<Sweeps.Axis> swept = axes.get(w.name());
      if (swept == null) {
        readMethod(w, w.method(), w.name(), null, componentsFor, merged, suiteTraining, userPretraining,
            suitePretraining, baselineNames, names, stems, methods, problems);
        continue;
      }
      // The swept method is replaced by its points, each validated as a method of its own.
      for (Sweeps.Point point : Sweeps.points(w.name(), w.method(), swept, s.root().get(ENCODER))) {
        List<ConfigProblem> found = new ArrayList<>();
        readMethod(w, point.method(), point.name(), point.point(), componentsFor, merged, suiteTraining,
            userPretraining, suitePretraining, baselineNames, names, stems, methods, found);
        for (ConfigProblem p : found) {
          ConfigProblem relocated = Sweeps.relocate(p, w.path(), point);
          // A problem of the method as written is found once per point: said once.
          if (!problems.contains(relocated)) {
            problems.add(relocated);
          }
        }
      }
    }
    return methods;
  }

  private void readMethod(Written w, Config method, String name, Suite.SweepPoint point,
      java.util.function.Function<Suite.DataSettings, Components> componentsFor, Config merged,
      Suite.TrainingSettings suiteTraining, Config userPretraining, Suite.DataSettings suitePretraining,
      Set<String> baselineNames, Set<String> names, java.util.Map<String, String> stems,
      List<Suite.MethodSpec> methods, List<ConfigProblem> problems) {
    String path = w.path();
    ConfigValue entry = w.entry();
    String type = method.getString("type");
    String stem = dev.pretext.runtime.report.EntryFiles.stem(name);
    if (!names.add(name)) {
      problems.add(ConfigProblem.at(entry.origin(), path,
          "method name '" + name + "' is used twice; give one of them a distinct 'name'"));
    } else if (baselineNames.contains(name)) {
      // Results and kept encoders are filed by name: a method must not share one with a baseline.
      problems.add(ConfigProblem.at(entry.origin(), path,
          "method name '" + name + "' is a baseline's; give the method a distinct 'name'"));
    } else if (stems.containsKey(stem) && !stems.get(stem).equals(name)) {
      problems.add(ConfigProblem.at(entry.origin(), path, "method name '" + name + "' is filed as '" + stem
          + "', as '" + stems.get(stem) + "' is; give one of them a distinct 'name'"));
    }
    stems.putIfAbsent(stem, name);
    Suite.TrainingSettings training = suiteTraining;
    if (method.hasPath("training")) {
      Config t = method.getConfig("training");
      ConfigValidator.validate(t.root(), merged.getObject("suite.training"), path + ".training", Set.of(), problems);
      Config effective = t.withFallback(merged.getConfig("suite.training"));
      training = read(problems, () -> Suite.TrainingSettings.from(effective));
    }
    Suite.DataSettings pretrainingData = suitePretraining;
    if (method.hasPathOrNull(PRETRAINING_DATA)) {
      pretrainingData = methodPretraining(method, path, merged, userPretraining, problems);
    }
    Config taskSettings = method.withoutPath("name").withoutPath("training")
        .withoutPath(PRETRAINING_DATA).withoutPath(ENCODER);
    Components components = componentsFor.apply(pretrainingData);
    // The method's own encoder replaces the suite's whole (not merged with it), created for the
    // images the method pretrains on, as its task is.
    Suite.ComponentSpec encoder = method.hasPath(ENCODER)
        ? readOwnEncoder(method.getValue(ENCODER), path + "." + ENCODER, components, problems) : null;
    if (plugins.factory(ComponentKind.PRETEXT_TASK, type).isEmpty()) {
      problems.add(ConfigProblem.at(method.getValue("type").origin(), path + ".type",
          plugins.unknownTypeMessage(ComponentKind.PRETEXT_TASK, type)));
      return;
    }
    tryCreate(problems, () -> components.create(PretextTask.class, type, taskSettings, path));
    // A point's task keeps the path of the entry it comes from: components draw their random
    // streams from it, so every point starts from the same initialization as the method would.
    methods.add(new Suite.MethodSpec(name, new Suite.ComponentSpec(type, taskSettings, path), training,
        pretrainingData, encoder, point));
  }

  /**
   * A method's own {@code pretraining-data}: its keys over the suite-level block's, over the
   * defaults; {@code pretraining-data = null} pretrains the method on {@code suite.data}.
   */
  private static Suite.DataSettings methodPretraining(Config method, String path, Config merged,
      Config userPretraining, List<ConfigProblem> problems) {
    if (method.getIsNull(PRETRAINING_DATA)) {
      return null;
    }
    String block = path + "." + PRETRAINING_DATA;
    if (method.getValue(PRETRAINING_DATA).valueType() != ConfigValueType.OBJECT) {
      problems.add(ConfigProblem.at(method.getValue(PRETRAINING_DATA).origin(), block,
          "expected an object { dataset = …, … } or null (= pretrain on suite.data)"));
      return null;
    }
    Config own = method.getConfig(PRETRAINING_DATA);
    int before = problems.size();
    ConfigValidator.validate(own.root(), merged.getObject("suite." + PRETRAINING_DATA), block,
        Set.of(), problems);
    if (problems.size() > before) {
      return null;
    }
    Config userKeys = userPretraining == null ? own : own.withFallback(userPretraining);
    Config effective = userKeys.withFallback(reference().getConfig("suite." + PRETRAINING_DATA));
    return read(problems, () -> Suite.DataSettings.from(effective, userKeys, block, true));
  }

  private static void tryCreate(List<ConfigProblem> problems, Runnable create) {
    try {
      create.run();
    } catch (SuiteConfigException e) {
      problems.addAll(e.problems());
    } catch (ConfigException e) {
      problems.add(ConfigProblem.of(e));
    }
  }

  private static <T> T read(List<ConfigProblem> problems, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (ConfigException e) {
      ConfigProblem problem = ConfigProblem.of(e);
      // The typed read of a value ConfigValidator already found of the wrong type says it again.
      boolean reported = e instanceof ConfigException.WrongType && problems.stream()
          .anyMatch(p -> p.location().equals(problem.location()) && p.message().startsWith("expected "));
      if (!reported) {
        problems.add(problem);
      }
      return null;
    }
  }
}
