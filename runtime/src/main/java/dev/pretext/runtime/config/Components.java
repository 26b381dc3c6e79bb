package dev.pretext.runtime.config;

import com.google.common.collect.MapMaker;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.ComponentRegistry;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Creates components from the loaded plugins: merges the user's settings over the plugin's
 * defaults, rejects unknown keys and wrong types, and calls the factory with the plugin's class
 * loader as the thread's context loader. One instance serves one run (one seed, one image shape).
 *
 * <p>It remembers the negative samplers each task created through it ({@link #samplersOf}), so
 * that checkpoints keep their state without the task having to pass it on.
 */
public final class Components implements ComponentRegistry {

  /**
   * A sampler a task created.
   *
   * @param key its config path relative to the task's (e.g. {@code sampler}), unique per task; the
   *     name of its state in a checkpoint
   * @param path its config path in the suite, for messages
   */
  public record TaskSampler(String key, String path, NegativeSampler sampler) {}

  /** Weak, identity-keyed: a task's entry goes with the task. */
  private static final Map<PretextTask, List<TaskSampler>> SAMPLERS = new MapMaker().weakKeys().makeMap();

  private static final Map<Class<?>, ComponentKind> KINDS = Map.of(
      Encoder.class, ComponentKind.ENCODER,
      Augmentation.class, ComponentKind.AUGMENTATION,
      NegativeSampler.class, ComponentKind.NEGATIVE_SAMPLER,
      Loss.class, ComponentKind.LOSS,
      PretextTask.class, ComponentKind.PRETEXT_TASK);

  private final PluginRegistry plugins;
  private final long seed;
  private final ImageShape imageShape;
  /** The task being created through this registry, or null outside a task's creation. */
  private final TaskScope task;

  public Components(PluginRegistry plugins, long seed, ImageShape imageShape) {
    this(plugins, seed, imageShape, null);
  }

  private Components(PluginRegistry plugins, long seed, ImageShape imageShape, TaskScope task) {
    this.plugins = plugins;
    this.seed = seed;
    this.imageShape = imageShape;
    this.task = task;
  }

  /** The samplers {@code task} created through a registry, in creation order (none if not created so). */
  public static List<TaskSampler> samplersOf(PretextTask task) {
    return SAMPLERS.getOrDefault(task, List.of());
  }

  @Override
  public Set<String> types(ComponentKind kind) {
    return plugins.types(kind);
  }

  @Override
  public <T> T create(Class<T> kindClass, String type, Config settings, String path) {
    ComponentKind kind = KINDS.get(kindClass);
    if (kind == null) {
      throw new IllegalArgumentException(kindClass.getName() + " is not a component kind");
    }
    ComponentFactory<?> factory = plugins.factory(kind, type)
        .orElseThrow(() -> new ConfigException.BadValue(
            settings.hasPath("type") ? settings.getValue("type").origin() : settings.origin(),
            path + ".type", plugins.unknownTypeMessage(kind, type)));
    Config merged = resolvedSettings(kind, type, settings, path);
    // What a task creates (its sampler, loss, …) goes through a registry that remembers its samplers.
    Components registry = kind == ComponentKind.PRETEXT_TASK
        ? new Components(plugins, seed, imageShape, new TaskScope(path, new ArrayList<>())) : this;
    ComponentContext context = new Context(merged, path, seed, imageShape, registry);
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(factory.getClass().getClassLoader());
    T component;
    try {
      component = kindClass.cast(factory.create(context));
    } finally {
      thread.setContextClassLoader(previous);
    }
    if (component instanceof NegativeSampler sampler && task != null) {
      task.add(path, sampler);
    }
    if (kind == ComponentKind.PRETEXT_TASK) {
      SAMPLERS.put((PretextTask) component, List.copyOf(registry.task.samplers));
    }
    return component;
  }

  /** The samplers created while a task (at {@code path}) is being created. */
  private record TaskScope(String path, List<TaskSampler> samplers) {
    void add(String samplerPath, NegativeSampler sampler) {
      String key = samplerPath.startsWith(path + ".") ? samplerPath.substring(path.length() + 1) : samplerPath;
      // Two samplers at one path (a task creating its sampler twice) keep separate states.
      String unique = key;
      for (int i = 2; keyTaken(unique); i++) {
        unique = key + "-" + i;
      }
      samplers.add(new TaskSampler(unique, samplerPath, sampler));
    }

    private boolean keyTaken(String key) {
      return samplers.stream().anyMatch(s -> s.key().equals(key));
    }
  }

  /** The user's settings over the type's defaults, after checking keys and types. */
  public Config resolvedSettings(ComponentKind kind, String type, Config settings, String path) {
    Config reference = defaults(kind, type);
    List<ConfigProblem> problems = new ArrayList<>();
    ConfigValidator.validate(settings.root(), reference.root(), path, Set.of("type"), problems);
    if (!problems.isEmpty()) {
      throw new SuiteConfigException("the " + kind.key() + " '" + type + "' at " + path, problems);
    }
    return settings.withoutPath("type").withFallback(reference).resolve();
  }

  /** The defaults a plugin ships for a component type (empty if it ships none). */
  public Config defaults(ComponentKind kind, String type) {
    String refPath = kind.referencePath(type);
    Config all = plugins.referenceConfig();
    return all.hasPath(refPath) ? all.getConfig(refPath) : ConfigFactory.empty();
  }

  private static final class Context implements ComponentContext {
    private final Config config;
    private final String configPath;
    private final long seed;
    private final ImageShape imageShape;
    private final Components components;
    private final Random random;

    Context(Config config, String configPath, long seed, ImageShape imageShape, Components components) {
      this.config = config;
      this.configPath = configPath;
      this.seed = seed;
      this.imageShape = imageShape;
      this.components = components;
      // Each component gets its own stream: the run's seed mixed with its place in the suite.
      this.random = new Random(seed * 0x9E3779B97F4A7C15L + configPath.hashCode());
    }

    @Override
    public Config config() {
      return config;
    }

    @Override
    public String configPath() {
      return configPath;
    }

    @Override
    public long seed() {
      return seed;
    }

    @Override
    public Random random() {
      return random;
    }

    @Override
    public ImageShape imageShape() {
      return imageShape;
    }

    @Override
    public ComponentRegistry components() {
      return components;
    }
  }
}
