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
  private static final Set<String> METHOD_KEYS = Set.of("type", "name", "training", "pretraining-data");
  private static final String PRETRAINING_DATA = "pretraining-data";

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
    ConfigValidator.validate(suiteUser, suiteRef, "suite", Set.of("encoder", "methods"), problems);
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
    List<String> baselines = read(problems, () -> s.getStringList("baselines"));
    if (baselines != null) {
      for (String b : baselines) {
        if (!Suite.KNOWN_BASELINES.contains(b)) {
          String hint = Suggestions.closest(b, Suite.KNOWN_BASELINES).map(x -> "did you mean '" + x + "'? ").orElse("");
          problems.add(ConfigProblem.at(s.getValue("baselines").origin(), "suite.baselines",
              "unknown baseline '" + b + "'; " + hint + "known: " + String.join(", ", Suite.KNOWN_BASELINES)));
        }
      }
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
    long firstSeed = seeds == null || seeds.isEmpty() ? 0 : seeds.get(0);
    Components components = new Components(plugins, firstSeed,
        data == null ? Suite.DataSettings.defaults().shape() : data.shape());

    Suite.ComponentSpec encoder = readEncoder(s, components, problems);
    // Tasks are created for the shape of the images they pretrain on.
    java.util.function.Function<Suite.DataSettings, Components> componentsFor = d -> d == null
        ? components : new Components(plugins, firstSeed, d.shape());
    List<Suite.MethodSpec> methods = readMethods(s, componentsFor, merged, training,
        userPretraining, pretrainingData, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new Suite(name, seeds, Path.of(s.getString("output")), data, pretrainingData, encoder,
        training, methods,
        baselines, evaluation, threads, merged);
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

  private List<Suite.MethodSpec> readMethods(
      Config s, java.util.function.Function<Suite.DataSettings, Components> componentsFor,
      Config merged, Suite.TrainingSettings suiteTraining, Config userPretraining,
      Suite.DataSettings suitePretraining, List<ConfigProblem> problems) {
    List<Suite.MethodSpec> methods = new ArrayList<>();
    List<? extends ConfigValue> entries = read(problems, () -> s.getList("methods"));
    if (entries == null) {
      return methods;
    }
    if (entries.isEmpty()) {
      problems.add(ConfigProblem.at(s.getValue("methods").origin(), "suite.methods",
          "lists no methods; known tasks: " + String.join(", ", plugins.types(ComponentKind.PRETEXT_TASK))));
    }
    Set<String> names = new HashSet<>();
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
      String name = method.hasPath("name") ? method.getString("name") : type;
      if (!names.add(name)) {
        problems.add(ConfigProblem.at(entry.origin(), path,
            "method name '" + name + "' is used twice; give one of them a distinct 'name'"));
      } else if (Suite.KNOWN_BASELINES.contains(name)) {
        // Results and kept encoders are filed by name: a method must not share one with a baseline.
        problems.add(ConfigProblem.at(entry.origin(), path,
            "method name '" + name + "' is a baseline's; give the method a distinct 'name'"));
      }
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
          .withoutPath(PRETRAINING_DATA);
      if (plugins.factory(ComponentKind.PRETEXT_TASK, type).isEmpty()) {
        problems.add(ConfigProblem.at(method.getValue("type").origin(), path + ".type",
            plugins.unknownTypeMessage(ComponentKind.PRETEXT_TASK, type)));
        continue;
      }
      Components components = componentsFor.apply(pretrainingData);
      tryCreate(problems, () -> components.create(PretextTask.class, type, taskSettings, path));
      methods.add(new Suite.MethodSpec(name, new Suite.ComponentSpec(type, taskSettings, path), training,
          pretrainingData));
    }
    return methods;
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
