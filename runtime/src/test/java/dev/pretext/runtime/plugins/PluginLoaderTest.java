package dev.pretext.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.ApiVersion;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextPlugin;
import dev.pretext.toolkit.ToolkitVersion;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads real plugin jars built into a temporary plugins folder, broken ones included. */
class PluginLoaderTest {

  private static final String API = ApiVersion.current();
  private static final String TOOLKIT = ToolkitVersion.current();

  @TempDir Path dir;

  private Path plugins() {
    return dir.resolve("plugins");
  }

  /** Only what this test put into {@link #dir}: the test class path may hold plugins of its own. */
  private PluginLoader.Result load() {
    PluginLoader.Result all = new PluginLoader(plugins()).load();
    return new PluginLoader.Result(
        all.plugins().stream().filter(p -> p.location().startsWith(dir)).toList(),
        all.problems().stream().filter(p -> p.location().startsWith(dir.toString())).toList());
  }

  private static LoadedPlugin plugin(PluginLoader.Result result, String name) {
    return result.plugins().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void goodPluginLoadsItsComponentsThroughItsOwnClassLoader() throws Exception {
    Path jar =
        PluginJarBuilder.plugin("alpha")
            .encoders("alpha.AlphaPlugin", "toy")
            .referenceConf("pretext.encoder.toy {\n  width = 8\n}\n")
            .writeTo(plugins().resolve("alpha.jar"));

    PluginLoader.Result result = load();

    assertThat(result.problems()).isEmpty();
    LoadedPlugin alpha = plugin(result, "alpha");
    assertThat(alpha.source()).isEqualTo(jar.toString());
    assertThat(alpha.jars()).containsExactly(jar);
    assertThat(alpha.location()).isEqualTo(jar);
    assertThat(alpha.descriptor().version()).isEqualTo("1.0.0");
    assertThat(alpha.types(ComponentKind.ENCODER)).containsExactly("toy");
    assertThat(alpha.classLoader()).isInstanceOf(PluginClassLoader.class);
    assertThat(alpha.instance().getClass().getClassLoader()).isSameAs(alpha.classLoader());
    assertThat(Class.forName(PretextPlugin.class.getName(), false, alpha.classLoader()))
        .isSameAs(PretextPlugin.class);

    // The factory itself fails unless it runs with the plugin's loader as context loader.
    ComponentFactory<?> toy = alpha.components().get(ComponentKind.ENCODER).get("toy");
    assertThat(toy.summary()).isEqualTo("a toy");
    assertThat(toy.create(null)).isInstanceOf(Encoder.class);

    assertThat(alpha.referenceConfig().getInt("pretext.encoder.toy.width")).isEqualTo(8);
    assertThat(alpha.referenceConfig().origin().description()).contains(jar.toString());
  }

  @Test
  void pluginFolderIsOnePluginWhoseJarsShareOneClassLoader() {
    Path lib =
        PluginJarBuilder.library()
            .source("beta.lib.Greeting", "package beta.lib; public class Greeting {}")
            .writeTo(plugins().resolve("beta/greeting.jar"));
    Path jar =
        PluginJarBuilder.plugin("beta")
            .classpath(lib)
            .source(
                "beta.BetaPlugin",
                """
                package beta;
                import dev.pretext.api.*;
                import java.util.List;
                public final class BetaPlugin implements PretextPlugin {
                  @Override public List<ComponentFactory<Loss>> losses() {
                    String from = new beta.lib.Greeting().getClass().getClassLoader().getName();
                    return List.of(ComponentFactory.of("greeting", from, ctx -> null));
                  }
                }
                """)
            .entry("beta.BetaPlugin")
            .writeTo(plugins().resolve("beta/beta.jar"));

    PluginLoader.Result result = load();

    assertThat(result.problems()).isEmpty();
    LoadedPlugin beta = plugin(result, "beta");
    assertThat(beta.source()).isEqualTo(plugins().resolve("beta").toString());
    assertThat(beta.jars()).containsExactly(jar, lib);
    assertThat(beta.location()).isEqualTo(jar);
    assertThat(beta.components().get(ComponentKind.LOSS).get("greeting").summary())
        .isEqualTo("beta");
  }

  @Test
  void bareJarsAndFoldersLoadInNameOrder() {
    PluginJarBuilder.plugin("zeta")
        .encoders("zeta.ZetaPlugin", "z")
        .writeTo(plugins().resolve("a.jar"));
    PluginJarBuilder.plugin("eta")
        .encoders("eta.EtaPlugin", "e")
        .writeTo(plugins().resolve("b/eta.jar"));
    PluginJarBuilder.plugin("theta")
        .encoders("theta.ThetaPlugin", "t")
        .writeTo(plugins().resolve("c.jar"));

    PluginLoader.Result result = load();

    assertThat(result.problems()).isEmpty();
    assertThat(result.plugins())
        .extracting(LoadedPlugin::name)
        .containsExactly("zeta", "eta", "theta");
  }

  @Test
  void brokenServiceFileDisablesOnlyThatPlugin() {
    PluginJarBuilder.plugin("alpha")
        .encoders("alpha.AlphaPlugin", "toy")
        .writeTo(plugins().resolve("alpha.jar"));
    Path broken =
        PluginJarBuilder.plugin("broken")
            .entry("broken.Missing")
            .writeTo(plugins().resolve("broken.jar"));

    PluginLoader.Result result = load();

    assertThat(result.plugins()).extracting(LoadedPlugin::name).containsExactly("alpha");
    assertThat(result.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo(broken.toString());
              assertThat(p.reason())
                  .isEqualTo("service file names class broken.Missing which is missing");
              assertThat(p.message()).startsWith(broken + ": ");
            });
  }

  @Test
  void classMissingWhileConstructingThePluginIsNamed() {
    Path jar =
        PluginJarBuilder.plugin("gamma")
            .source("gamma.Helper", "package gamma; public class Helper {}")
            .source(
                "gamma.GammaPlugin",
                """
                package gamma;
                public final class GammaPlugin implements dev.pretext.api.PretextPlugin {
                  private final Object helper = new Helper();
                }
                """)
            .entry("gamma.GammaPlugin")
            .omit("gamma.Helper")
            .writeTo(plugins().resolve("gamma.jar"));

    PluginProblem problem = load().problems().get(0);

    assertThat(problem.location()).isEqualTo(jar.toString());
    assertThat(problem.reason())
        .isEqualTo(
            "constructing class gamma.GammaPlugin failed: "
                + "class gamma.Helper is missing (NoClassDefFoundError)");
    assertThat(problem.cause()).isInstanceOf(NoClassDefFoundError.class);
  }

  @Test
  void classMissingWhileLoadingTheEntryClassIsNamed() {
    PluginJarBuilder.plugin("delta")
        .source("delta.Base", "package delta; public abstract class Base {}")
        .source(
            "delta.DeltaPlugin",
            "package delta; public final class DeltaPlugin extends Base"
                + " implements dev.pretext.api.PretextPlugin {}")
        .entry("delta.DeltaPlugin")
        .omit("delta.Base")
        .writeTo(plugins().resolve("delta.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::reason)
        .containsExactly(
            "class delta.DeltaPlugin cannot be loaded: "
                + "class delta.Base is missing (NoClassDefFoundError)");
  }

  @Test
  void missingOrUnreadableDescriptorIsReported() {
    Path none =
        PluginJarBuilder.plugin("none")
            .encoders("none.NonePlugin", "n")
            .withoutDescriptor()
            .writeTo(plugins().resolve("none.jar"));
    Path bad =
        PluginJarBuilder.plugin("bad")
            .encoders("bad.BadPlugin", "b")
            .descriptor("name=bad\napi-version=1.0\n")
            .writeTo(plugins().resolve("z-bad.jar"));

    PluginLoader.Result result = load();

    assertThat(result.plugins()).isEmpty();
    assertThat(result.problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            none + ": has no descriptor META-INF/pretext/plugin.properties",
            bad
                + ": descriptor META-INF/pretext/plugin.properties is invalid: "
                + "descriptor lacks 'version'");
  }

  @Test
  void incompatibleApiVersionNamesBothVersions() {
    Path jar =
        PluginJarBuilder.plugin("future")
            .apiVersion("99.0")
            .encoders("future.FuturePlugin", "f")
            .writeTo(plugins().resolve("future.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            jar + ": plugin 'future' 1.0.0 needs api 99.0, but this runtime offers api " + API
                + ": use a Pretext release with that api");
  }

  @Test
  void aPluginBuiltForAnOlderMajorIsToldToRebuild() {
    assertThat(API).as("this runtime's SPI").startsWith("2.");
    Path jar =
        PluginJarBuilder.plugin("old")
            .apiVersion("1.1")
            .encoders("old.OldPlugin", "o")
            .writeTo(plugins().resolve("old.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            jar + ": plugin 'old' 1.0.0 was built for SPI 1.x (api-version=1.1), this runtime is SPI " + API
                + ": rebuild it against pretext-api " + API + " (docs/spi-2.md lists what changed)");
  }

  @Test
  void aPluginBuiltForANewerToolkitOrAnotherMajorIsRefusedNamingBothVersions() {
    assertThat(TOOLKIT).as("this runtime's toolkit").isEqualTo("2.0");
    Path newerMinor =
        PluginJarBuilder.plugin("minor")
            .toolkitVersion("2.1")
            .encoders("minor.MinorPlugin", "m")
            .writeTo(plugins().resolve("minor.jar"));
    Path newerMajor =
        PluginJarBuilder.plugin("major")
            .toolkitVersion("3.0")
            .encoders("major.MajorPlugin", "j")
            .writeTo(plugins().resolve("major.jar"));
    Path olderMajor =
        PluginJarBuilder.plugin("older")
            .toolkitVersion("1.4")
            .encoders("older.OlderPlugin", "o")
            .writeTo(plugins().resolve("older.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            newerMajor + ": plugin 'major' 1.0.0 was built for toolkit 3.0 (toolkit-version=3.0), this runtime"
                + " provides toolkit 2.0: use a Pretext release with toolkit 3.0 or a later 3.x",
            newerMinor + ": plugin 'minor' 1.0.0 was built for toolkit 2.1 (toolkit-version=2.1), this runtime"
                + " provides toolkit 2.0: use a Pretext release with toolkit 2.1 or a later 2.x",
            olderMajor + ": plugin 'older' 1.0.0 was built for toolkit 1.4 (toolkit-version=1.4), this runtime"
                + " provides toolkit 2.0: rebuild it against pretext-toolkit 2.0 (docs/spi-2.md lists what"
                + " changed)");
  }

  @Test
  void aPluginForAnOlderToolkitMinorOrWithoutToolkitLoads() {
    PluginJarBuilder.plugin("older")
        .toolkitVersion("2.1")
        .encoders("older.OlderPlugin", "o")
        .writeTo(plugins().resolve("older.jar"));
    PluginJarBuilder.plugin("plain")
        .encoders("plain.PlainPlugin", "p")
        .writeTo(plugins().resolve("plain.jar"));
    PluginJarBuilder.plugin("same")
        .toolkitVersion("2.3")
        .encoders("same.SamePlugin", "s")
        .writeTo(plugins().resolve("same.jar"));

    PluginLoader.Result result =
        new PluginLoader(plugins(), getClass().getClassLoader(), API, "2.3").load();
    assertThat(result.problems()).extracting(PluginProblem::location)
        .noneMatch(location -> location.startsWith(dir.toString()));
    assertThat(result.plugins()).extracting(LoadedPlugin::name).contains("older", "plain", "same");
  }

  @Test
  void aMalformedToolkitVersionIsAnInvalidDescriptor() {
    Path jar =
        PluginJarBuilder.plugin("odd")
            .toolkitVersion("two")
            .encoders("odd.OddPlugin", "o")
            .writeTo(plugins().resolve("odd.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            jar + ": descriptor META-INF/pretext/plugin.properties is invalid: toolkit-version 'two'"
                + " must look like MAJOR.MINOR, e.g. 2.0");
  }

  @Test
  void duplicateTypeKeepsTheFirstLoadedPlugin() {
    Path alpha =
        PluginJarBuilder.plugin("alpha")
            .encoders("alpha.AlphaPlugin", "toy")
            .writeTo(plugins().resolve("alpha.jar"));
    Path delta =
        PluginJarBuilder.plugin("delta")
            .encoders("delta.DeltaPlugin", "other", "toy")
            .writeTo(plugins().resolve("delta.jar"));

    PluginLoader.Result result = load();

    assertThat(result.plugins()).extracting(LoadedPlugin::name).containsExactly("alpha");
    assertThat(result.problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            delta
                + ": duplicate type 'toy' of kind encoder: provided by both alpha ("
                + alpha
                + ") and delta ("
                + delta
                + "); the first one loaded keeps it");
    assertThat(new PluginRegistry(result).ownerOf(ComponentKind.ENCODER, "toy").name())
        .isEqualTo("alpha");
  }

  @Test
  void duplicatePluginNameKeepsTheFirst() {
    Path first =
        PluginJarBuilder.plugin("same")
            .encoders("one.OnePlugin", "one")
            .writeTo(plugins().resolve("a.jar"));
    Path second =
        PluginJarBuilder.plugin("same")
            .encoders("two.TwoPlugin", "two")
            .writeTo(plugins().resolve("b.jar"));

    PluginLoader.Result result = load();

    assertThat(result.plugins()).extracting(LoadedPlugin::location).containsExactly(first);
    assertThat(result.problems())
        .extracting(PluginProblem::message)
        .containsExactly(second + ": duplicate plugin name 'same': already loaded from " + first);
  }

  @Test
  void factoryThrowingFromTypeOrListingDisablesThePlugin() {
    PluginJarBuilder.plugin("typeless")
        .source(
            "typeless.TypelessPlugin",
            """
            package typeless;
            import dev.pretext.api.*;
            import java.util.List;
            public final class TypelessPlugin implements PretextPlugin {
              @Override public List<ComponentFactory<Encoder>> encoders() {
                return List.of(new ComponentFactory<Encoder>() {
                  public String type() { throw new IllegalStateException("no type yet"); }
                  public String summary() { return ""; }
                  public Encoder create(ComponentContext c) { return null; }
                });
              }
            }
            """)
        .entry("typeless.TypelessPlugin")
        .writeTo(plugins().resolve("a-typeless.jar"));
    PluginJarBuilder.plugin("unlisted")
        .source(
            "unlisted.UnlistedPlugin",
            """
            package unlisted;
            import dev.pretext.api.*;
            import java.util.List;
            public final class UnlistedPlugin implements PretextPlugin {
              @Override public List<ComponentFactory<PretextTask>> tasks() {
                throw new UnsupportedOperationException("not yet");
              }
            }
            """)
        .entry("unlisted.UnlistedPlugin")
        .writeTo(plugins().resolve("b-unlisted.jar"));

    PluginLoader.Result result = load();

    assertThat(result.plugins()).isEmpty();
    assertThat(result.problems())
        .extracting(PluginProblem::reason)
        .containsExactly(
            "type() of a factory listed by encoders() threw IllegalStateException: no type yet",
            "tasks() threw UnsupportedOperationException: not yet");
  }

  @Test
  void referenceConfOutsideTheOwnComponentsIsAProblem() {
    Path jar =
        PluginJarBuilder.plugin("stray")
            .encoders("stray.StrayPlugin", "toy")
            .referenceConf(
                """
                akka.loglevel = DEBUG
                pretext.encoder.toy { width = 1 }
                pretext.encoder.other { width = 2 }
                """)
            .writeTo(plugins().resolve("stray.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            jar
                + ": reference.conf defines 'akka' (line 1), 'pretext.encoder.other' (line 3),"
                + " outside pretext.<kind>.<type> of the plugin's own components (encoder 'toy')");
  }

  @Test
  void pluginsBundlingTheirOwnCopyOfALibraryAreIsolated() throws Exception {
    String greeting =
        "package lib; public class Greeting { public static String text() { return \"%s\"; } }";
    Path runtimeCopy =
        PluginJarBuilder.library()
            .source("lib.Greeting", greeting.formatted("runtime"))
            .writeTo(dir.resolve("runtime-lib.jar"));
    for (String name : List.of("eps", "zeta")) {
      Path lib =
          PluginJarBuilder.library()
              .source("lib.Greeting", greeting.formatted(name + "'s copy"))
              .writeTo(plugins().resolve(name + "/greeting.jar"));
      PluginJarBuilder.plugin(name)
          .classpath(lib)
          .source(
              name + ".Entry",
              """
              package %s;
              import dev.pretext.api.*;
              import java.util.List;
              public final class Entry implements PretextPlugin {
                @Override public List<ComponentFactory<Loss>> losses() {
                  return List.of(ComponentFactory.of("%s-loss", lib.Greeting.text(), ctx -> null));
                }
              }
              """
                  .formatted(name, name))
          .entry(name + ".Entry")
          .writeTo(plugins().resolve(name + "/" + name + ".jar"));
    }

    // The runtime has its own lib.Greeting: each plugin must still see its own copy first.
    try (URLClassLoader runtime =
        new URLClassLoader(new URL[] {runtimeCopy.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry registry =
          new PluginRegistry(new PluginLoader(plugins(), runtime, API).load());

      assertThat(registry.factory(ComponentKind.LOSS, "eps-loss").orElseThrow().summary())
          .isEqualTo("eps's copy");
      assertThat(registry.factory(ComponentKind.LOSS, "zeta-loss").orElseThrow().summary())
          .isEqualTo("zeta's copy");
      Class<?> epsCopy =
          registry.ownerOf(ComponentKind.LOSS, "eps-loss").classLoader().loadClass("lib.Greeting");
      Class<?> zetaCopy =
          registry.ownerOf(ComponentKind.LOSS, "zeta-loss").classLoader().loadClass("lib.Greeting");
      assertThat(epsCopy).isNotSameAs(zetaCopy).isNotSameAs(runtime.loadClass("lib.Greeting"));
    }
  }

  @Test
  void classpathPluginsReadTheDescriptorAndDefaultsOfTheirOwnJar() throws Exception {
    Path first =
        PluginJarBuilder.plugin("first")
            .encoders("first.FirstPlugin", "shared", "first-only")
            .referenceConf("pretext.encoder.first-only { from = first }")
            .writeTo(dir.resolve("cp/first.jar"));
    Path second =
        PluginJarBuilder.plugin("second")
            .encoders("second.SecondPlugin", "second-only")
            .referenceConf("pretext.encoder.second-only { from = second }")
            .writeTo(dir.resolve("cp/second.jar"));
    Path folderCopy =
        PluginJarBuilder.plugin("late")
            .encoders("late.LatePlugin", "shared")
            .writeTo(plugins().resolve("late.jar"));

    try (URLClassLoader classpath =
        new URLClassLoader(
            new URL[] {first.toUri().toURL(), second.toUri().toURL()},
            getClass().getClassLoader())) {
      PluginLoader.Result result = new PluginLoader(plugins(), classpath, API).load();
      LoadedPlugin firstPlugin = plugin(result, "first");
      LoadedPlugin secondPlugin = plugin(result, "second");

      assertThat(firstPlugin.source()).isEqualTo(LoadedPlugin.CLASSPATH);
      assertThat(firstPlugin.location()).isEqualTo(first);
      assertThat(firstPlugin.classLoader()).isSameAs(classpath);
      assertThat(secondPlugin.location()).isEqualTo(second);
      assertThat(secondPlugin.referenceConfig().getString("pretext.encoder.second-only.from"))
          .isEqualTo("second");
      assertThat(secondPlugin.referenceConfig().hasPath("pretext.encoder.first-only")).isFalse();
      // The classpath comes before the plugins folder, so its plugin keeps a clashing type.
      assertThat(result.problems())
          .filteredOn(p -> p.location().equals(folderCopy.toString()))
          .extracting(PluginProblem::reason)
          .singleElement()
          .asString()
          .startsWith("duplicate type 'shared' of kind encoder: provided by both first (" + first);
    }
  }

  @Test
  void missingPluginsFolderIsNoError() {
    PluginLoader.Result result = load();

    assertThat(result.plugins()).isEmpty();
    assertThat(result.problems()).isEmpty();
    assertThat(new PluginLoader(null).load().problems())
        .noneMatch(p -> p.location().startsWith(dir.toString()));
  }

  @Test
  void foldersWithoutExactlyOnePluginAndCorruptJarsAreReported() throws Exception {
    Files.createDirectories(plugins().resolve("empty"));
    Path library =
        PluginJarBuilder.library()
            .source("lib.Util", "package lib; public class Util {}")
            .writeTo(plugins().resolve("lib-only/util.jar"));
    Path corrupt = Files.writeString(plugins().resolve("corrupt.jar"), "not a zip");
    PluginJarBuilder.plugin("one")
        .encoders("one.OnePlugin", "one")
        .writeTo(plugins().resolve("two/a.jar"));
    PluginJarBuilder.plugin("two")
        .encoders("two.TwoPlugin", "two")
        .writeTo(plugins().resolve("two/b.jar"));

    assertThat(load().problems())
        .extracting(PluginProblem::message)
        .containsExactly(
            corrupt + ": is not a readable jar: ZipException: zip END header not found",
            plugins().resolve("empty")
                + ": holds no jar; a plugin folder holds the plugin's jar and the jars it bundles",
            library.getParent()
                + ": no jar here has META-INF/services/dev.pretext.api.PretextPlugin",
            plugins().resolve("two")
                + ": a.jar, b.jar all have META-INF/services/dev.pretext.api.PretextPlugin;"
                + " a plugin folder holds exactly one plugin");
  }

  @Test
  void pluginResourcesComeFromItsOwnJarsAndSharedServicesFromTheRuntime() throws Exception {
    Path jar =
        PluginJarBuilder.plugin("alpha")
            .encoders("alpha.AlphaPlugin", "toy")
            .referenceConf("pretext.encoder.toy {}")
            .writeTo(plugins().resolve("alpha.jar"));
    Path runtimeConf = dir.resolve("runtime-conf");
    Files.createDirectories(runtimeConf);
    Files.writeString(runtimeConf.resolve("reference.conf"), "runtime = true");

    try (URLClassLoader runtime =
            new URLClassLoader(
                new URL[] {runtimeConf.toUri().toURL()}, getClass().getClassLoader());
        PluginClassLoader loader = new PluginClassLoader("alpha", List.of(jar), runtime)) {
      assertThat(Collections.list(loader.getResources("reference.conf")))
          .singleElement()
          .asString()
          .contains(jar.getFileName().toString());
      assertThat(loader.getResource("reference.conf").toString()).contains("alpha.jar");
      assertThat(loader.getResource(PretextPlugin.class.getName().replace('.', '/') + ".class"))
          .isEqualTo(
              runtime.getResource(PretextPlugin.class.getName().replace('.', '/') + ".class"));
      assertThat(
              Collections.list(
                  loader.getResources("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend")))
          .isNotEmpty();
    }
  }

  @Test
  void sharedPackagesComeFromTheRuntime() {
    assertThat(PluginClassLoader.isShared("dev.pretext.api.graph.GraphBuilder")).isTrue();
    assertThat(PluginClassLoader.isShared("dev.pretext.toolkit.graph.Ops")).isTrue();
    assertThat(PluginClassLoader.isShared("org.nd4j.linalg.api.ndarray.INDArray")).isTrue();
    assertThat(PluginClassLoader.isShared("com.typesafe.config.Config")).isTrue();
    assertThat(PluginClassLoader.isShared("org.w3c.dom.Node")).isTrue();
    assertThat(PluginClassLoader.isShared("dev.pretext.runtime.plugins.PluginLoader")).isFalse();
    assertThat(PluginClassLoader.isShared("com.google.common.collect.ImmutableList")).isFalse();
  }

  @Test
  void contextLoaderIsRestoredAfterwards() {
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    ClassLoader other = new URLClassLoader(new URL[0], null);

    ClassLoader during =
        PluginClassLoader.withContextLoader(
            other, () -> Thread.currentThread().getContextClassLoader());

    assertThat(during).isSameAs(other);
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
  }
}
