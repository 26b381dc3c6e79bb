package dev.pretext.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComponentRegistryTest {

  /** Creates "type:setting" strings, so the test sees what was created from which settings. */
  private final ComponentRegistry registry = new ComponentRegistry() {
    @Override
    public Set<String> types(ComponentKind kind) {
      return Set.of("flip", "crop");
    }

    @Override
    public <T> T create(Class<T> kind, String type, Config settings, String path) {
      return kind.cast(type + ":" + (settings.hasPath("p") ? settings.getString("p") : "-") + "@" + path);
    }
  };

  @Test
  void createAllMakesOneComponentPerEntryInOrder() {
    Config c = ConfigFactory.parseString("list = [ { type = crop, p = 0.3 }, { type = flip } ]");
    assertThat(registry.createAll(String.class, ComponentKind.AUGMENTATION, c.getList("list"), "t.list"))
        .containsExactly("crop:0.3@t.list[0]", "flip:-@t.list[1]");
  }

  @Test
  void anEntryWithoutATypeIsNamedWithTheKnownTypes() {
    Config c = ConfigFactory.parseString("list = [ { type = crop }, flip ]");
    assertThatThrownBy(() -> registry.createAll(String.class, ComponentKind.AUGMENTATION, c.getList("list"), "t.list"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("t.list[1]")
        .hasMessageContaining("expected { type = <augmentation>, … }; known augmentations: crop, flip");
  }
}
