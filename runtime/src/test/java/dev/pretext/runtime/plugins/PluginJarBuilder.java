package dev.pretext.runtime.plugins;

import dev.pretext.api.ApiVersion;
import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars (and library jars) at test time: compiles Java sources against the test
 * class path and writes them with a service file, a descriptor and a {@code reference.conf}.
 *
 * <pre>{@code
 * Path jar = PluginJarBuilder.plugin("alpha")
 *     .encoders("alpha.AlphaPlugin", "toy")
 *     .referenceConf("pretext.encoder.toy { width = 8 }")
 *     .writeTo(pluginsFolder.resolve("alpha.jar"));
 * }</pre>
 */
public final class PluginJarBuilder {

  private static final String SERVICE_FILE = "META-INF/services/" + PretextPlugin.class.getName();

  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, String> resources = new LinkedHashMap<>();
  private final List<String> entryClasses = new ArrayList<>();
  private final Set<String> omitted = new LinkedHashSet<>();
  private final List<Path> classpath = new ArrayList<>();
  private final String name;
  private String version = "1.0.0";
  private String apiVersion = ApiVersion.current();
  private String toolkitVersion;
  private String descriptor;
  private boolean withDescriptor;

  private PluginJarBuilder(String name, boolean withDescriptor) {
    this.name = name;
    this.withDescriptor = withDescriptor;
  }

  /** A plugin jar whose descriptor names it {@code name}, version 1.0.0, the current api. */
  public static PluginJarBuilder plugin(String name) {
    return new PluginJarBuilder(name, true);
  }

  /** A plain library jar: no descriptor, no service file unless added. */
  public static PluginJarBuilder library() {
    return new PluginJarBuilder(null, false);
  }

  /** Adds a source file to compile; {@code className} is its fully qualified class name. */
  public PluginJarBuilder source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /**
   * Names {@code classNames} in the jar's {@code META-INF/services/dev.pretext.api.PretextPlugin}.
   */
  public PluginJarBuilder entry(String... classNames) {
    entryClasses.addAll(List.of(classNames));
    return this;
  }

  /**
   * Adds an entry class {@code className} whose {@code encoders()} lists a toy encoder of each of
   * {@code types}, and registers it in the service file. Each factory checks that it runs with its
   * plugin's class loader as the context class loader.
   */
  public PluginJarBuilder encoders(String className, String... types) {
    String factories =
        Stream.of(types)
            .map(
                type ->
                    "ComponentFactory.of(\""
                        + type
                        + "\", \"a toy\", ctx -> { checkContextLoader();"
                        + " return (Encoder) (g, x, s) -> null; })")
            .collect(Collectors.joining(",\n        "));
    return source(
            className,
            packageLine(className)
                + "import dev.pretext.api.*;\n"
                + "import java.util.List;\n"
                + "public final class "
                + simpleName(className)
                + " implements PretextPlugin {\n"
                + "  @Override public List<ComponentFactory<Encoder>> encoders() {\n"
                + "    return List.of(\n        "
                + factories
                + ");\n"
                + "  }\n"
                + "  private static void checkContextLoader() {\n"
                + "    if (Thread.currentThread().getContextClassLoader()\n"
                + "        != "
                + simpleName(className)
                + ".class.getClassLoader()) {\n"
                + "      throw new IllegalStateException(\"not the plugin's context loader\");\n"
                + "    }\n"
                + "  }\n"
                + "}\n")
        .entry(className);
  }

  /** Sets the plugin's version in the descriptor. */
  public PluginJarBuilder version(String version) {
    this.version = version;
    return this;
  }

  /** Sets the api version the descriptor says the plugin needs. */
  public PluginJarBuilder apiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
    return this;
  }

  /** Sets the toolkit version the descriptor says the plugin needs (none by default). */
  public PluginJarBuilder toolkitVersion(String toolkitVersion) {
    this.toolkitVersion = toolkitVersion;
    return this;
  }

  /** Replaces the generated descriptor with {@code properties}, verbatim. */
  public PluginJarBuilder descriptor(String properties) {
    this.descriptor = properties;
    this.withDescriptor = true;
    return this;
  }

  /** Leaves the descriptor out. */
  public PluginJarBuilder withoutDescriptor() {
    this.withDescriptor = false;
    return this;
  }

  /** Ships {@code hocon} as the jar's {@code reference.conf}. */
  public PluginJarBuilder referenceConf(String hocon) {
    return resource("reference.conf", hocon);
  }

  /** Adds a text resource at {@code path} inside the jar. */
  public PluginJarBuilder resource(String path, String text) {
    resources.put(path, text);
    return this;
  }

  /** Compiles {@code className} (and its nested classes) but leaves it out of the jar. */
  public PluginJarBuilder omit(String className) {
    omitted.add(className);
    return this;
  }

  /** Compiles against {@code jars} in addition to the test class path. */
  public PluginJarBuilder classpath(Path... jars) {
    classpath.addAll(List.of(jars));
    return this;
  }

  /** Compiles the sources and writes the jar to {@code jar}, creating its folder; returns it. */
  public Path writeTo(Path jar) {
    try {
      Path classes = Files.createTempDirectory("plugin-classes");
      try {
        compile(classes);
        Files.createDirectories(jar.toAbsolutePath().getParent());
        writeJar(classes, jar);
      } finally {
        deleteRecursively(classes);
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void compile(Path out) {
    if (sources.isEmpty()) {
      return;
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<JavaFileObject> units = new ArrayList<>();
    sources.forEach((className, code) -> units.add(new Source(className, code)));
    String path =
        Stream.concat(
                Stream.of(System.getProperty("java.class.path")),
                classpath.stream().map(Path::toString))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> options =
        List.of("-d", out.toString(), "-classpath", path, "--release", "17", "-proc:none");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean compiled = compiler.getTask(null, null, diagnostics, options, null, units).call();
    if (!compiled) {
      throw new IllegalStateException(
          "test plugin sources do not compile:\n"
              + diagnostics.getDiagnostics().stream()
                  .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                  .map(Object::toString)
                  .collect(Collectors.joining("\n")));
    }
  }

  private void writeJar(Path classes, Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      List<Path> classFiles;
      try (Stream<Path> walk = Files.walk(classes)) {
        classFiles = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
      }
      for (Path classFile : classFiles) {
        String entry = classes.relativize(classFile).toString().replace(File.separatorChar, '/');
        if (!isOmitted(entry)) {
          put(out, entry, Files.readAllBytes(classFile));
        }
      }
      if (!entryClasses.isEmpty()) {
        put(out, SERVICE_FILE, utf8(String.join("\n", entryClasses) + "\n"));
      }
      if (withDescriptor) {
        put(out, PluginDescriptor.RESOURCE, utf8(descriptor != null ? descriptor : descriptor()));
      }
      for (Map.Entry<String, String> resource : resources.entrySet()) {
        put(out, resource.getKey(), utf8(resource.getValue()));
      }
    }
  }

  private String descriptor() {
    return "name="
        + name
        + "\nversion="
        + version
        + "\napi-version="
        + apiVersion
        + (toolkitVersion == null ? "" : "\ntoolkit-version=" + toolkitVersion)
        + "\ndescription=test plugin "
        + name
        + "\n";
  }

  private boolean isOmitted(String classEntry) {
    String className = classEntry.substring(0, classEntry.length() - ".class".length());
    className = className.replace('/', '.');
    for (String omit : omitted) {
      if (className.equals(omit) || className.startsWith(omit + "$")) {
        return true;
      }
    }
    return false;
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String packageLine(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? "" : "package " + className.substring(0, dot) + ";\n";
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static void deleteRecursively(Path folder) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** An in-memory source file. */
  private static final class Source extends SimpleJavaFileObject {

    private final String code;

    Source(String className, String code) {
      super(URI.create("string:///" + className.replace('.', '/') + ".java"), Kind.SOURCE);
      this.code = code;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }
  }
}
