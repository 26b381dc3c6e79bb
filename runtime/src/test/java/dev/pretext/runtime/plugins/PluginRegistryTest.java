package dev.pretext.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import dev.pretext.runtime.config.Suggestions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry's lookups and messages, over plugins assembled in-process. */
class PluginRegistryTest {

  private static LoadedPlugin plugin(
      String name, ComponentKind kind, String config, String... types) {
    Map<String, ComponentFactory<?>> factories = new LinkedHashMap<>();
    for (String type : types) {
      factories.put(type, ComponentFactory.of(type, "the " + type, ctx -> type));
    }
    Path jar = Path.of("/plugins", name + ".jar");
    return new LoadedPlugin(
        new PluginDescriptor(name, "1.0.0", "1.0", ""),
        LoadedPlugin.CLASSPATH,
        List.of(jar),
        jar,
        PluginRegistryTest.class.getClassLoader(),
        new PretextPlugin() {},
        Map.of(kind, factories),
        ConfigFactory.parseString(config));
  }

  private static PluginRegistry registry(List<PluginProblem> problems, LoadedPlugin... plugins) {
    return new PluginRegistry(new PluginLoader.Result(List.of(plugins), problems));
  }

  private final LoadedPlugin rotation =
      plugin(
          "rotation",
          ComponentKind.PRETEXT_TASK,
          "pretext.task.rotation { angles = 4 }",
          "rotation");
  private final LoadedPlugin contrastive =
      plugin(
          "contrastive",
          ComponentKind.PRETEXT_TASK,
          "pretext.task.simclr { temperature = 0.5 }",
          "simclr",
          "moco");

  @Test
  void looksComponentsUpByKindAndType() {
    PluginRegistry registry = registry(List.of(), rotation, contrastive);

    assertThat(registry.types(ComponentKind.PRETEXT_TASK))
        .containsExactly("moco", "rotation", "simclr");
    assertThat(registry.types(ComponentKind.LOSS)).isEmpty();
    assertThat(registry.factory(ComponentKind.PRETEXT_TASK, "simclr").orElseThrow().create(null))
        .isEqualTo("simclr");
    assertThat(registry.factory(ComponentKind.ENCODER, "simclr")).isEmpty();
    assertThat(registry.ownerOf(ComponentKind.PRETEXT_TASK, "moco")).isSameAs(contrastive);
    assertThat(registry.plugins()).containsExactly(rotation, contrastive);
  }

  @Test
  void mergesEveryPluginsReferenceConfig() {
    Config reference = registry(List.of(), rotation, contrastive).referenceConfig();

    assertThat(reference.getInt("pretext.task.rotation.angles")).isEqualTo(4);
    assertThat(reference.getDouble("pretext.task.simclr.temperature")).isEqualTo(0.5);
  }

  @Test
  void unknownTypeSuggestsTheClosestAndListsTheKnown() {
    PluginRegistry registry = registry(List.of(), rotation, contrastive);

    assertThat(registry.unknownTypeMessage(ComponentKind.PRETEXT_TASK, "rotaton"))
        .isEqualTo(
            "unknown task 'rotaton'; did you mean 'rotation'? Known tasks: moco, rotation, simclr");
    assertThat(registry.unknownTypeMessage(ComponentKind.PRETEXT_TASK, "colorization"))
        .isEqualTo("unknown task 'colorization'. Known tasks: moco, rotation, simclr");
    assertThat(registry.unknownTypeMessage(ComponentKind.LOSS, "mse"))
        .isEqualTo("unknown loss 'mse'. Known losses: none");
    assertThatThrownBy(() -> registry.ownerOf(ComponentKind.PRETEXT_TASK, "byol"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown task 'byol'. Known tasks: moco, rotation, simclr");
  }

  @Test
  void unknownTypeMentionsPluginsThatFailedToLoad() {
    PluginRegistry registry =
        registry(
            List.of(
                new PluginProblem(
                    "/plugins/byol.jar", "service file names class x.Y which is missing")),
            rotation);

    assertThat(registry.problems()).hasSize(1);
    assertThat(registry.unknownTypeMessage(ComponentKind.PRETEXT_TASK, "byol"))
        .isEqualTo(
            "unknown task 'byol'. Known tasks: rotation"
                + " (1 plugin failed to load: see `pretext plugins`)");
  }

  @Test
  void rejectsTwoPluginsWithTheSameType() {
    LoadedPlugin copy = plugin("copy", ComponentKind.PRETEXT_TASK, "", "rotation");

    assertThatThrownBy(() -> registry(List.of(), rotation, copy))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate type 'rotation' of kind task");
  }

  @Test
  void suggestsOnlyPlausibleTypos() {
    List<String> known = List.of("negative-cosine", "nt-xent", "info-nce");

    assertThat(Suggestions.closest("nt-xnet", known)).contains("nt-xent");
    assertThat(Suggestions.closest("negative-cosin", known)).contains("negative-cosine");
    assertThat(Suggestions.closest("mse", known)).isEmpty();
    // Ties go to the name that sorts first, whatever the collection's order.
    assertThat(Suggestions.closest("ab", List.of("cb", "aa"))).contains("aa");
  }
}
