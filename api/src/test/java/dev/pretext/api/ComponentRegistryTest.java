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

  /** Creates samplers that need what their type's name says: "queue" needs pairs and step keys. */
  private final ComponentRegistry samplers = new ComponentRegistry() {
    @Override
    public Set<String> types(ComponentKind kind) {
      return Set.of("queue", "in-batch");
    }

    @Override
    public <T> T create(Class<T> kind, String type, Config settings, String path) {
      return kind.cast(new NegativeSampler() {
        @Override
        public Set<Need> needs() {
          return type.equals("queue") ? Set.of(Need.PAIRS, Need.STEP_KEYS) : Set.of(Need.PAIRS);
        }

        @Override
        public ContrastiveLogits build(dev.pretext.api.graph.GraphBuilder graph,
            org.nd4j.autodiff.samediff.SDVariable queries, org.nd4j.autodiff.samediff.SDVariable keys) {
          throw new UnsupportedOperationException();
        }
      });
    }
  };

  @Test
  void aSamplerIsCreatedWhenTheTaskProvidesWhatItNeeds() {
    Config task = ConfigFactory.parseString("sampler { type = queue }");
    assertThat(samplers.createSampler(task, "suite.methods[1]", "moco",
        Set.of(NegativeSampler.Need.PAIRS, NegativeSampler.Need.STEP_KEYS), "queue").needs())
        .containsExactlyInAnyOrder(NegativeSampler.Need.PAIRS, NegativeSampler.Need.STEP_KEYS);
  }

  @Test
  void aSamplerNeedingWhatTheTaskDoesNotProvideNamesTheMethodTheSamplerAndWhatIsMissing() {
    Config task = ConfigFactory.parseString("sampler { type = queue }");
    assertThatThrownBy(() -> samplers.createSampler(task, "suite.methods[1]", "simclr",
        Set.of(NegativeSampler.Need.PAIRS), "in-batch"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("suite.methods[1].sampler.type")
        .hasMessageContaining("the sampler 'queue' needs each step's keys from a key encoder, handed to"
            + " afterStep (step_keys), which simclr does not provide (it provides queries and keys as"
            + " [N, D] pairs (pairs)); use in-batch");
  }

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
