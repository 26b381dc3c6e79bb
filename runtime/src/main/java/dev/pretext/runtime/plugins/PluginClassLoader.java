package dev.pretext.runtime.plugins;

import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The class loader of one plugin folder (or one bare plugin jar).
 *
 * <p>Shared packages — the JDK, the Pretext SPI and toolkit, ND4J/DL4J/JavaCPP, Typesafe Config and
 * SLF4J (see {@link #SHARED_PACKAGES}) — come from the runtime's loader first, so that the SPI types
 * a plugin implements are the runtime's own and native libraries load once per process. The toolkit
 * is shared rather than bundled by each plugin because its op classes register in DL4J's global op
 * registry: two copies would register two classes for one op. Everything else
 * comes from the plugin's own jars first, so that a plugin can bundle its own version of any other
 * library; the parent is the platform loader, so the runtime's private libraries (Guice, Jackson,
 * picocli, …) stay invisible to plugins.
 *
 * <p>The plugin's {@code reference.conf}, its descriptor and its {@code
 * META-INF/services/dev.pretext.api.PretextPlugin} are looked up in the plugin's own jars only,
 * never in the runtime's.
 */
public final class PluginClassLoader extends URLClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  /** Package prefixes loaded from the runtime's loader before the plugin's own jars. */
  public static final List<String> SHARED_PACKAGES =
      List.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "dev.pretext.api.",
          "dev.pretext.toolkit.",
          "org.nd4j.",
          "org.deeplearning4j.",
          "org.bytedeco.",
          "com.typesafe.config.",
          "org.slf4j.",
          // Types in ND4J's public signatures (SameDiff#getVariables returns a PatriciaTrie): a
          // plugin calling such a method must see the runtime's classes, not none.
          "org.apache.commons.collections4.");

  private static final String SERVICE_FILE = "META-INF/services/" + PretextPlugin.class.getName();

  /** Resources that describe the plugin itself: taking them from the runtime would be wrong. */
  private static final Set<String> PLUGIN_OWN_RESOURCES =
      Set.of("reference.conf", PluginDescriptor.RESOURCE, SERVICE_FILE);

  /**
   * Packages of the JDK's own modules outside {@code java.}/{@code javax.} (e.g. {@code
   * org.w3c.dom}): a plugin bundling a copy of them would clash with the JDK's classes.
   */
  private static final Set<String> JDK_PACKAGES =
      ModuleLayer.boot().modules().stream()
          .flatMap(module -> module.getPackages().stream())
          .collect(Collectors.toUnmodifiableSet());

  private final ClassLoader runtimeLoader;

  /**
   * A loader over one plugin's jars.
   *
   * @param name shown in stack traces, e.g. the plugin folder's name
   * @param jars the plugin's jar and the libraries it bundles
   * @param runtimeLoader the loader of the runtime, which provides the shared packages
   */
  public PluginClassLoader(String name, List<Path> jars, ClassLoader runtimeLoader) {
    super(name, urls(jars), ClassLoader.getPlatformClassLoader());
    this.runtimeLoader = runtimeLoader;
  }

  /** Whether {@code className} is loaded from the runtime rather than from a plugin's jars. */
  public static boolean isShared(String className) {
    for (String prefix : SHARED_PACKAGES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    int lastDot = className.lastIndexOf('.');
    return lastDot > 0 && JDK_PACKAGES.contains(className.substring(0, lastDot));
  }

  /**
   * Runs {@code action} with {@code loader} as the thread's context class loader, so that libraries
   * which look classes and resources up through the context loader (ServiceLoader, Typesafe Config)
   * find the plugin's own.
   */
  public static <T> T withContextLoader(ClassLoader loader, Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return action.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** Runs {@code action} with this loader as the thread's context class loader. */
  public <T> T withContextLoader(Supplier<T> action) {
    return withContextLoader(this, action);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        loaded = isShared(name) ? loadSharedFirst(name) : loadOwnFirst(name);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  private Class<?> loadSharedFirst(String name) throws ClassNotFoundException {
    try {
      return runtimeLoader.loadClass(name);
    } catch (ClassNotFoundException notInRuntime) {
      // e.g. a JavaCPP preset the runtime does not ship: the plugin's copy is the only one.
      return findClass(name);
    }
  }

  private Class<?> loadOwnFirst(String name) throws ClassNotFoundException {
    try {
      return findClass(name);
    } catch (ClassNotFoundException notBundled) {
      return getParent().loadClass(name);
    }
  }

  @Override
  public URL getResource(String name) {
    if (PLUGIN_OWN_RESOURCES.contains(name)) {
      return findResource(name);
    }
    if (isSharedResource(name)) {
      URL shared = runtimeLoader.getResource(name);
      return shared != null ? shared : findResource(name);
    }
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (PLUGIN_OWN_RESOURCES.contains(name)) {
      return findResources(name);
    }
    List<URL> all = new ArrayList<>();
    if (isSharedResource(name)) {
      all.addAll(Collections.list(runtimeLoader.getResources(name)));
      all.addAll(Collections.list(findResources(name)));
    } else {
      all.addAll(Collections.list(findResources(name)));
      all.addAll(Collections.list(getParent().getResources(name)));
    }
    return Collections.enumeration(all);
  }

  /**
   * A resource belongs to the runtime when it lives in a shared package, or when it registers
   * providers of a shared service (e.g. ND4J's backends): a shared class looking up its providers
   * through a plugin's context loader must still find the runtime's.
   */
  private static boolean isSharedResource(String name) {
    String services = "META-INF/services/";
    if (name.startsWith(services)) {
      return isShared(name.substring(services.length()));
    }
    return isShared(name.replace('/', '.'));
  }

  private static URL[] urls(List<Path> jars) {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new UncheckedIOException(e);
      }
    }
    return urls;
  }
}
