package dev.pretext.runtime.config;

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
 */
public final class Components implements ComponentRegistry {

  private static final Map<Class<?>, ComponentKind> KINDS = Map.of(
      Encoder.class, ComponentKind.ENCODER,
      Augmentation.class, ComponentKind.AUGMENTATION,
      NegativeSampler.class, ComponentKind.NEGATIVE_SAMPLER,
      Loss.class, ComponentKind.LOSS,
      PretextTask.class, ComponentKind.PRETEXT_TASK);

  private final PluginRegistry plugins;
  private final long seed;
  private final ImageShape imageShape;

  public Components(PluginRegistry plugins, long seed, ImageShape imageShape) {
    this.plugins = plugins;
    this.seed = seed;
    this.imageShape = imageShape;
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
    ComponentContext context = new Context(merged, path, seed, imageShape, this);
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(factory.getClass().getClassLoader());
    try {
      return kindClass.cast(factory.create(context));
    } finally {
      thread.setContextClassLoader(previous);
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
