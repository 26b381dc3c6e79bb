package dev.pretext.runtime.plugins;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.pretext.api.ApiVersion;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import dev.pretext.toolkit.ToolkitVersion;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.nd4j.common.config.ND4JClassLoading;

/**
 * Finds and loads plugins from the runtime's classpath and from a plugins folder.
 *
 * <p>Sources are processed in a fixed order — the classpath first (in classpath order), then the
 * plugins folder's entries sorted by name — so that when two plugins clash, the same one wins on
 * every run. In the plugins folder, each subfolder is one plugin whose jars share one {@link
 * PluginClassLoader}, and each bare {@code *.jar} is a plugin of its own. A missing folder simply
 * contributes no plugins.
 *
 * <p>A plugin's descriptor and {@code reference.conf} are read from the jar (or class folder) whose
 * {@code META-INF/services/dev.pretext.api.PretextPlugin} names its entry class — never from
 * another jar that happens to come first on a class path — and the entry class must load from that
 * same jar. The descriptor is checked before any of the plugin's classes load, so an incompatible
 * plugin is reported as such rather than as a linkage error.
 *
 * <p>Entry classes are registered in the provider-configuration files that {@link
 * java.util.ServiceLoader} reads, but the loader reads each jar's file itself: ServiceLoader's
 * errors name neither the jar nor the service file at fault, and a stream of its providers stops at
 * the first broken one.
 *
 * <p>A plugin that uses the toolkit declares {@code toolkit-version} in its descriptor: the runtime
 * provides the toolkit (one copy per process), so a plugin built for another toolkit major or a newer
 * minor is refused like one built for another SPI. A plugin without the key does not use it.
 *
 * <p>A plugin that cannot load is disabled with exactly one {@link PluginProblem}; the others still
 * load.
 */
public final class PluginLoader {

  private static final String SERVICE_FILE = "META-INF/services/" + PretextPlugin.class.getName();
  private static final String REFERENCE_CONF = "reference.conf";
  private static final String TOOLKIT_VERSION = "toolkit-version";
  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+");

  private final Path pluginsFolder;
  private final ClassLoader runtimeLoader;
  private final String runtimeApi;
  private final String runtimeToolkit;

  /**
   * A loader for the runtime's own classpath and {@code pluginsFolder}.
   *
   * @param pluginsFolder the plugins folder; it need not exist, and {@code null} means none
   */
  public PluginLoader(Path pluginsFolder) {
    this(pluginsFolder, PluginLoader.class.getClassLoader(), ApiVersion.current());
  }

  /**
   * A loader with an explicit runtime class loader and SPI version, and the toolkit on the classpath.
   *
   * @param pluginsFolder the plugins folder; it need not exist, and {@code null} means none
   * @param runtimeLoader the loader whose classpath is searched for plugins and which provides the
   *     shared packages to folder plugins
   * @param runtimeApi the SPI version this runtime offers, {@code MAJOR.MINOR}
   */
  public PluginLoader(Path pluginsFolder, ClassLoader runtimeLoader, String runtimeApi) {
    this(pluginsFolder, runtimeLoader, runtimeApi, ToolkitVersion.current());
  }

  /**
   * A loader with an explicit runtime class loader, SPI version and toolkit version.
   *
   * @param pluginsFolder the plugins folder; it need not exist, and {@code null} means none
   * @param runtimeLoader the loader whose classpath is searched for plugins and which provides the
   *     shared packages to folder plugins
   * @param runtimeApi the SPI version this runtime offers, {@code MAJOR.MINOR}
   * @param runtimeToolkit the toolkit version this runtime provides, {@code MAJOR.MINOR}
   */
  public PluginLoader(
      Path pluginsFolder, ClassLoader runtimeLoader, String runtimeApi, String runtimeToolkit) {
    this.pluginsFolder = pluginsFolder;
    this.runtimeLoader = runtimeLoader;
    this.runtimeApi = runtimeApi;
    this.runtimeToolkit = runtimeToolkit;
  }

  /**
   * What loading found.
   *
   * @param plugins the plugins that loaded, in load order
   * @param problems one per plugin that was disabled, in load order
   */
  public record Result(List<LoadedPlugin> plugins, List<PluginProblem> problems) {

    public Result {
      plugins = List.copyOf(plugins);
      problems = List.copyOf(problems);
    }
  }

  /** Loads every plugin it finds; never throws for a broken plugin. */
  public Result load() {
    pinNd4jClassLoader();
    Session session = new Session();
    loadFromClasspath(session);
    if (pluginsFolder != null && Files.isDirectory(pluginsFolder)) {
      loadFromFolder(session);
    }
    return new Result(session.plugins, session.problems);
  }

  /**
   * ND4J remembers the context class loader of the thread that first touches it and looks its
   * backends up through it for the rest of the process. Touch it now, under the runtime's loader,
   * so that a plugin whose factory happens to initialize ND4J does not capture it.
   */
  private void pinNd4jClassLoader() {
    PluginClassLoader.withContextLoader(runtimeLoader, ND4JClassLoading::getNd4jClassloader);
  }

  private void loadFromClasspath(Session session) {
    List<URL> serviceFiles;
    try {
      serviceFiles = Collections.list(runtimeLoader.getResources(SERVICE_FILE));
    } catch (IOException e) {
      session.problems.add(
          new PluginProblem(
              LoadedPlugin.CLASSPATH, "cannot list " + SERVICE_FILE + ": " + describe(e), e));
      return;
    }
    Set<Path> roots = new LinkedHashSet<>();
    for (URL serviceFile : serviceFiles) {
      try {
        roots.add(rootOf(serviceFile));
      } catch (Disabled e) {
        session.problems.add(new PluginProblem(serviceFile.toString(), e.getMessage()));
      }
    }
    for (Path root : roots) {
      load(session, LoadedPlugin.CLASSPATH, List.of(root), root, runtimeLoader);
    }
  }

  private void loadFromFolder(Session session) {
    List<Path> entries;
    try (Stream<Path> listing = Files.list(pluginsFolder)) {
      entries =
          listing
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> Files.isDirectory(p) || isJar(p))
              .sorted(Comparator.comparing(p -> p.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      session.problems.add(
          new PluginProblem(
              pluginsFolder.toAbsolutePath().toString(),
              "cannot list the plugins folder: " + describe(e),
              e));
      return;
    }
    for (Path entry : entries) {
      loadFolderEntry(session, entry.toAbsolutePath().normalize());
    }
  }

  private void loadFolderEntry(Session session, Path entry) {
    List<Path> jars;
    try {
      jars = Files.isDirectory(entry) ? jarsIn(entry) : List.of(entry);
    } catch (IOException e) {
      session.problems.add(
          new PluginProblem(entry.toString(), "cannot list the folder: " + describe(e), e));
      return;
    }
    if (jars.isEmpty()) {
      session.problems.add(
          new PluginProblem(
              entry.toString(),
              "holds no jar; a plugin folder holds the plugin's jar and the jars it bundles"));
      return;
    }
    for (Path jar : jars) {
      // A class loader silently skips a corrupt jar; say so instead of "no plugin here".
      try (JarFile readable = new JarFile(jar.toFile())) {
        readable.size();
      } catch (IOException e) {
        session.problems.add(
            new PluginProblem(jar.toString(), "is not a readable jar: " + describe(e), e));
        return;
      }
    }
    PluginClassLoader loader =
        new PluginClassLoader(entry.getFileName().toString(), jars, runtimeLoader);
    boolean loaded = false;
    try {
      List<URL> serviceFiles = Collections.list(loader.findResources(SERVICE_FILE));
      if (serviceFiles.isEmpty()) {
        session.problems.add(
            new PluginProblem(entry.toString(), "no jar here has " + SERVICE_FILE));
      } else if (serviceFiles.size() > 1) {
        List<String> names = new ArrayList<>();
        for (URL serviceFile : serviceFiles) {
          names.add(rootOf(serviceFile).getFileName().toString());
        }
        session.problems.add(
            new PluginProblem(
                entry.toString(),
                String.join(", ", names)
                    + " all have "
                    + SERVICE_FILE
                    + "; a plugin folder holds exactly one plugin"));
      } else {
        loaded = load(session, entry.toString(), jars, rootOf(serviceFiles.get(0)), loader);
      }
    } catch (IOException e) {
      session.problems.add(
          new PluginProblem(entry.toString(), "cannot read its jars: " + describe(e), e));
    } catch (Disabled e) {
      session.problems.add(new PluginProblem(entry.toString(), e.getMessage()));
    } finally {
      if (!loaded) {
        closeQuietly(loader);
      }
    }
  }

  /**
   * Why a plugin built for another SPI cannot load: one built for an older major was compiled
   * against types that changed (SPI 2.0 removed and reshaped methods), so it is told to rebuild
   * rather than left to fail later with a linkage error.
   */
  private String incompatible(PluginDescriptor descriptor) {
    String plugin = "plugin '" + descriptor.name() + "' " + descriptor.version();
    String neededMajor = descriptor.apiVersion().split("\\.")[0];
    String runtimeMajor = runtimeApi.split("\\.")[0];
    if (neededMajor.matches("\\d+") && Integer.parseInt(neededMajor) < Integer.parseInt(runtimeMajor)) {
      return plugin + " was built for SPI " + neededMajor + ".x (api-version=" + descriptor.apiVersion()
          + "), this runtime is SPI " + runtimeApi + ": rebuild it against pretext-api " + runtimeApi
          + " (docs/spi-2.md lists what changed)";
    }
    return plugin + " needs api " + descriptor.apiVersion() + ", but this runtime offers api " + runtimeApi
        + ": use a Pretext release with that api";
  }

  /**
   * Why a plugin built for another toolkit cannot load, or null if it can: the runtime provides the
   * toolkit, so a plugin needs the same major and at most the runtime's minor.
   */
  private String toolkitIncompatible(PluginDescriptor descriptor, String neededToolkit) {
    String[] need = neededToolkit.split("\\.");
    String[] have = runtimeToolkit.split("\\.");
    int neededMajor = Integer.parseInt(need[0]);
    int runtimeMajor = Integer.parseInt(have[0]);
    if (neededMajor == runtimeMajor && Integer.parseInt(need[1]) <= Integer.parseInt(have[1])) {
      return null;
    }
    String refused = "plugin '" + descriptor.name() + "' " + descriptor.version() + " was built for toolkit "
        + neededToolkit + " (" + TOOLKIT_VERSION + "=" + neededToolkit + "), this runtime provides toolkit "
        + runtimeToolkit + ": ";
    if (neededMajor < runtimeMajor) {
      return refused + "rebuild it against pretext-toolkit " + runtimeToolkit
          + " (docs/spi-2.md lists what changed)";
    }
    return refused + "use a Pretext release with toolkit " + neededToolkit + " or a later " + neededMajor
        + ".x";
  }

  /** Loads the plugin whose service file is in {@code root}; true if it loaded. */
  private boolean load(
      Session session, String source, List<Path> jars, Path root, ClassLoader loader) {
    try {
      String entryClass = entryClass(root);
      PluginDescriptor descriptor = descriptor(root);
      if (!descriptor.isCompatibleWith(runtimeApi)) {
        throw new Disabled(incompatible(descriptor));
      }
      String neededToolkit = toolkitVersion(root);
      if (neededToolkit != null) {
        String refusal = toolkitIncompatible(descriptor, neededToolkit);
        if (refusal != null) {
          throw new Disabled(refusal);
        }
      }
      LoadedPlugin sameName = session.byName.get(descriptor.name());
      if (sameName != null) {
        throw new Disabled(
            "duplicate plugin name '"
                + descriptor.name()
                + "': already loaded from "
                + sameName.location());
      }
      PretextPlugin instance =
          PluginClassLoader.withContextLoader(loader, () -> instantiate(entryClass, root, loader));
      Map<ComponentKind, Map<String, ComponentFactory<?>>> components =
          PluginClassLoader.withContextLoader(loader, () -> components(instance, loader));
      Config reference = referenceConfig(root);
      checkReferenceKeys(reference, components);
      LoadedPlugin plugin =
          new LoadedPlugin(descriptor, source, jars, root, loader, instance, components, reference);
      checkDuplicateTypes(session, plugin);
      session.register(plugin);
      return true;
    } catch (Disabled e) {
      session.problems.add(new PluginProblem(root.toString(), e.getMessage(), e.getCause()));
      return false;
    }
  }

  private static String entryClass(Path root) {
    List<String> names;
    try (InputStream in = open(root, SERVICE_FILE)) {
      names = providerNames(in);
    } catch (IOException e) {
      throw new Disabled("cannot read " + SERVICE_FILE + ": " + describe(e), e);
    }
    if (names.isEmpty()) {
      throw new Disabled("service file names no class");
    }
    if (names.size() > 1) {
      throw new Disabled(
          "service file names "
              + names.size()
              + " classes ("
              + String.join(", ", names)
              + "); a plugin has exactly one entry class");
    }
    return names.get(0);
  }

  /** The provider-configuration file format of {@link java.util.ServiceLoader}. */
  private static List<String> providerNames(InputStream in) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      int comment = line.indexOf('#');
      String name = (comment >= 0 ? line.substring(0, comment) : line).strip();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return List.copyOf(names);
  }

  private static PluginDescriptor descriptor(Path root) {
    try (InputStream in = open(root, PluginDescriptor.RESOURCE)) {
      return PluginDescriptor.read(in);
    } catch (NoSuchFileException e) {
      throw new Disabled("has no descriptor " + PluginDescriptor.RESOURCE);
    } catch (IOException e) {
      throw new Disabled(
          "descriptor " + PluginDescriptor.RESOURCE + " is unreadable: " + describe(e), e);
    } catch (IllegalArgumentException e) {
      throw new Disabled(
          "descriptor " + PluginDescriptor.RESOURCE + " is invalid: " + e.getMessage(), e);
    }
  }

  /** The descriptor's {@code toolkit-version}, or null when the plugin does not use the toolkit. */
  private static String toolkitVersion(Path root) {
    Properties p = new Properties();
    try (InputStream in = open(root, PluginDescriptor.RESOURCE)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new Disabled(
          "descriptor " + PluginDescriptor.RESOURCE + " is unreadable: " + describe(e), e);
    }
    String version = p.getProperty(TOOLKIT_VERSION);
    if (version == null) {
      return null;
    }
    version = version.trim();
    if (!VERSION.matcher(version).matches()) {
      throw new Disabled("descriptor " + PluginDescriptor.RESOURCE + " is invalid: " + TOOLKIT_VERSION
          + " '" + version + "' must look like MAJOR.MINOR, e.g. " + ToolkitVersion.current());
    }
    return version;
  }

  private static PretextPlugin instantiate(String className, Path root, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new Disabled("service file names class " + className + " which is missing", e);
    } catch (LinkageError e) {
      throw new Disabled("class " + className + " cannot be loaded: " + describe(e), e);
    }
    if (!PretextPlugin.class.isAssignableFrom(type)) {
      throw new Disabled(
          "class " + className + " does not implement " + PretextPlugin.class.getName());
    }
    Path typeRoot = codeSourceRoot(type);
    if (!root.equals(typeRoot)) {
      throw new Disabled(
          "class "
              + className
              + " is loaded from "
              + (typeRoot == null ? "an unknown location" : typeRoot)
              + ", not from the jar whose service file names it");
    }
    Constructor<?> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new Disabled("class " + className + " has no public no-argument constructor");
    } catch (LinkageError e) {
      throw new Disabled("class " + className + " cannot be linked: " + describe(e), e);
    }
    try {
      return (PretextPlugin) constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new Disabled(
          "constructing class " + className + " failed: " + describe(e.getCause()), e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new Disabled("constructing class " + className + " failed: " + describe(e), e);
    }
  }

  private static Map<ComponentKind, Map<String, ComponentFactory<?>>> components(
      PretextPlugin plugin, ClassLoader loader) {
    Map<ComponentKind, Map<String, ComponentFactory<?>>> all = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      String method = listingMethod(kind) + "()";
      Map<String, ComponentFactory<?>> byType = new LinkedHashMap<>();
      try {
        List<? extends ComponentFactory<?>> factories = factories(plugin, kind);
        if (factories == null) {
          throw new Disabled(method + " returned null");
        }
        for (ComponentFactory<?> factory : factories) {
          if (factory == null) {
            throw new Disabled(method + " lists a null factory");
          }
          String type = callFactory("type() of a factory listed by " + method, factory::type);
          if (type == null || type.isBlank()) {
            throw new Disabled(method + " lists a factory whose type() is blank");
          }
          String summary =
              callFactory("summary() of " + kind.key() + " '" + type + "'", factory::summary);
          if (byType.containsKey(type)) {
            throw new Disabled(method + " lists " + kind.key() + " '" + type + "' twice");
          }
          byType.put(type, new ContextLoaderFactory<>(factory, type, summary, loader));
        }
      } catch (Disabled e) {
        throw e;
      } catch (RuntimeException | LinkageError e) {
        throw new Disabled(method + " threw " + describe(e), e);
      }
      all.put(kind, byType);
    }
    return all;
  }

  private static List<? extends ComponentFactory<?>> factories(
      PretextPlugin plugin, ComponentKind kind) {
    return switch (kind) {
      case ENCODER -> plugin.encoders();
      case AUGMENTATION -> plugin.augmentations();
      case NEGATIVE_SAMPLER -> plugin.negativeSamplers();
      case LOSS -> plugin.losses();
      case PRETEXT_TASK -> plugin.tasks();
    };
  }

  private static String listingMethod(ComponentKind kind) {
    return switch (kind) {
      case ENCODER -> "encoders";
      case AUGMENTATION -> "augmentations";
      case NEGATIVE_SAMPLER -> "negativeSamplers";
      case LOSS -> "losses";
      case PRETEXT_TASK -> "tasks";
    };
  }

  private static String callFactory(String what, Supplier<String> call) {
    try {
      return call.get();
    } catch (RuntimeException | LinkageError e) {
      throw new Disabled(what + " threw " + describe(e), e);
    }
  }

  private static Config referenceConfig(Path root) {
    ConfigParseOptions options =
        ConfigParseOptions.defaults()
            .setSyntax(ConfigSyntax.CONF)
            .setOriginDescription(REFERENCE_CONF + " in " + root);
    try (InputStream in = open(root, REFERENCE_CONF);
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return ConfigFactory.parseReader(reader, options);
    } catch (NoSuchFileException e) {
      return ConfigFactory.empty();
    } catch (IOException e) {
      throw new Disabled(REFERENCE_CONF + " is unreadable: " + describe(e), e);
    } catch (ConfigException e) {
      throw new Disabled(REFERENCE_CONF + " is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * A plugin's defaults may only live under {@code pretext.<kind>."<type>"} of its own components:
   * anything else would silently change another plugin's defaults or leak into unrelated settings.
   */
  private static void checkReferenceKeys(
      Config reference, Map<ComponentKind, Map<String, ComponentFactory<?>>> components) {
    List<StrayKey> stray = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> top : reference.root().entrySet()) {
      if (!top.getKey().equals("pretext") || !isObject(top.getValue())) {
        stray.add(StrayKey.of(List.of(top.getKey()), top.getValue()));
        continue;
      }
      for (Map.Entry<String, ConfigValue> byKind : ((ConfigObject) top.getValue()).entrySet()) {
        ComponentKind kind = kindOf(byKind.getKey());
        if (kind == null || !isObject(byKind.getValue())) {
          stray.add(StrayKey.of(List.of("pretext", byKind.getKey()), byKind.getValue()));
          continue;
        }
        for (Map.Entry<String, ConfigValue> byType :
            ((ConfigObject) byKind.getValue()).entrySet()) {
          if (!components.get(kind).containsKey(byType.getKey()) || !isObject(byType.getValue())) {
            stray.add(
                StrayKey.of(List.of("pretext", kind.key(), byType.getKey()), byType.getValue()));
          }
        }
      }
    }
    if (!stray.isEmpty()) {
      throw new Disabled(
          REFERENCE_CONF
              + " defines "
              + stray.stream()
                  .sorted(Comparator.comparingInt(StrayKey::line).thenComparing(StrayKey::path))
                  .map(StrayKey::toString)
                  .collect(Collectors.joining(", "))
              + ", outside pretext.<kind>.<type> of the plugin's own components ("
              + ownComponents(components)
              + ")");
    }
  }

  /** A key of {@code reference.conf} outside the plugin's own components, for the message. */
  private record StrayKey(String path, int line) {

    static StrayKey of(List<String> path, ConfigValue value) {
      return new StrayKey(ConfigUtil.joinPath(path), value.origin().lineNumber());
    }

    @Override
    public String toString() {
      return "'" + path + "'" + (line > 0 ? " (line " + line + ")" : "");
    }
  }

  private static boolean isObject(ConfigValue value) {
    return value.valueType() == ConfigValueType.OBJECT;
  }

  private static ComponentKind kindOf(String key) {
    for (ComponentKind kind : ComponentKind.values()) {
      if (kind.key().equals(key)) {
        return kind;
      }
    }
    return null;
  }

  private static String ownComponents(
      Map<ComponentKind, Map<String, ComponentFactory<?>>> components) {
    String own =
        components.entrySet().stream()
            .flatMap(
                e -> e.getValue().keySet().stream().map(t -> e.getKey().key() + " '" + t + "'"))
            .collect(Collectors.joining(", "));
    return own.isEmpty() ? "it contributes none" : own;
  }

  private static void checkDuplicateTypes(Session session, LoadedPlugin plugin) {
    List<String> clashes = new ArrayList<>();
    for (ComponentKind kind : ComponentKind.values()) {
      for (String type : plugin.types(kind)) {
        LoadedPlugin owner = session.owners.get(kind).get(type);
        if (owner != null) {
          clashes.add(
              "duplicate type '"
                  + type
                  + "' of kind "
                  + kind.key()
                  + ": provided by both "
                  + owner.describe()
                  + " and "
                  + plugin.describe());
        }
      }
    }
    if (!clashes.isEmpty()) {
      throw new Disabled(String.join("; ", clashes) + "; the first one loaded keeps it");
    }
  }

  /** The jar or class folder that holds {@code serviceFile}. */
  private static Path rootOf(URL serviceFile) {
    try {
      if (serviceFile.getProtocol().equals("jar")) {
        String path = serviceFile.getPath();
        int separator = path.indexOf("!/");
        if (separator > 0 && path.indexOf("!/", separator + 2) < 0) {
          URL jar = new URL(path.substring(0, separator));
          if (jar.getProtocol().equals("file")) {
            return Path.of(jar.toURI()).toAbsolutePath().normalize();
          }
        }
      } else if (serviceFile.getProtocol().equals("file")) {
        Path root = Path.of(serviceFile.toURI()).toAbsolutePath().normalize();
        for (int i = Path.of(SERVICE_FILE).getNameCount(); i > 0 && root != null; i--) {
          root = root.getParent();
        }
        if (root != null) {
          return root;
        }
      }
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      throw new Disabled("cannot tell which jar holds " + serviceFile + ": " + describe(e), e);
    }
    throw new Disabled("cannot tell which jar holds " + serviceFile);
  }

  private static Path codeSourceRoot(Class<?> type) {
    CodeSource codeSource = type.getProtectionDomain().getCodeSource();
    if (codeSource == null || codeSource.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(codeSource.getLocation().toURI()).toAbsolutePath().normalize();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Opens {@code name} inside the jar or class folder {@code root} — directly, rather than through
   * a class loader, which would return the first match on its whole class path.
   *
   * @throws NoSuchFileException if {@code root} has no such entry
   */
  private static InputStream open(Path root, String name) throws IOException {
    if (Files.isDirectory(root)) {
      return Files.newInputStream(root.resolve(name));
    }
    JarFile jar = new JarFile(root.toFile());
    try {
      ZipEntry entry = jar.getEntry(name);
      if (entry == null) {
        throw new NoSuchFileException(root + "!/" + name);
      }
      // Read eagerly so the jar closes here rather than when the caller remembers to.
      return new ByteArrayInputStream(jar.getInputStream(entry).readAllBytes());
    } finally {
      jar.close();
    }
  }

  private static List<Path> jarsIn(Path folder) throws IOException {
    try (Stream<Path> listing = Files.list(folder)) {
      return listing
          .filter(PluginLoader::isJar)
          .map(p -> p.toAbsolutePath().normalize())
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private static boolean isJar(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
  }

  private static void closeQuietly(PluginClassLoader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // The plugin is already disabled and reported; failing to release its jars changes nothing.
    }
  }

  /** One clause about a failure: the missing class for a linkage error, else type and message. */
  private static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NoClassDefFoundError && c.getMessage() != null) {
        String message = c.getMessage();
        String initFailed = "Could not initialize class ";
        if (message.startsWith(initFailed)) {
          return "class " + message.substring(initFailed.length()) + " failed to initialize";
        }
        return "class " + message.replace('/', '.') + " is missing (NoClassDefFoundError)";
      }
    }
    if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
      return "a static initializer threw " + describe(t.getCause());
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** Disables the plugin being loaded; its message is the problem's reason. */
  private static final class Disabled extends RuntimeException {

    Disabled(String reason) {
      super(reason, null, false, false);
    }

    Disabled(String reason, Throwable cause) {
      super(reason, cause, false, false);
    }
  }

  /** Lets a plugin's factory create components with the plugin's loader as context loader. */
  private static final class ContextLoaderFactory<T> implements ComponentFactory<T> {

    private final ComponentFactory<T> delegate;
    private final String type;
    private final String summary;
    private final ClassLoader loader;

    ContextLoaderFactory(
        ComponentFactory<T> delegate, String type, String summary, ClassLoader loader) {
      this.delegate = delegate;
      this.type = type;
      this.summary = summary;
      this.loader = loader;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public String summary() {
      return summary;
    }

    @Override
    public T create(ComponentContext context) {
      return PluginClassLoader.withContextLoader(loader, () -> delegate.create(context));
    }

    @Override
    public String toString() {
      return type + " (" + delegate + ")";
    }
  }

  /** The state of one {@link #load()}: who has loaded, and who owns which name and type. */
  private static final class Session {

    final List<LoadedPlugin> plugins = new ArrayList<>();
    final List<PluginProblem> problems = new ArrayList<>();
    final Map<String, LoadedPlugin> byName = new HashMap<>();
    final Map<ComponentKind, Map<String, LoadedPlugin>> owners = new EnumMap<>(ComponentKind.class);

    Session() {
      for (ComponentKind kind : ComponentKind.values()) {
        owners.put(kind, new HashMap<>());
      }
    }

    void register(LoadedPlugin plugin) {
      plugins.add(plugin);
      byName.put(plugin.name(), plugin);
      for (ComponentKind kind : ComponentKind.values()) {
        for (String type : plugin.types(kind)) {
          owners.get(kind).put(type, plugin);
        }
      }
    }
  }
}
