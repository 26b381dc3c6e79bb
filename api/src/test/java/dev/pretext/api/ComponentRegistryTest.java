package dev.pretext.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
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

  /** Creates losses reading "prediction": "mse" takes probabilities, "legacy" declares nothing (SPI 1.x). */
  private final ComponentRegistry losses = new ComponentRegistry() {
    @Override
    public Set<String> types(ComponentKind kind) {
      return Set.of("mse", "legacy");
    }

    @Override
    public <T> T create(Class<T> kind, String type, Config settings, String path) {
      return kind.cast(new Loss() {
        @Override
        public Set<String> roles() {
          return Set.of("prediction");
        }

        @Override
        public Map<String, Input> consumes() {
          return type.equals("mse") ? Map.of("prediction", Input.PROBABILITIES) : Map.of();
        }

        @Override
        public org.nd4j.autodiff.samediff.SDVariable build(dev.pretext.api.graph.GraphBuilder graph,
            Map<String, org.nd4j.autodiff.samediff.SDVariable> inputs) {
          throw new UnsupportedOperationException();
        }
      });
    }
  };

  private static final Map<String, Set<Loss.Input>> LOGITS_OR_PROBABILITIES =
      Map.of("prediction", Set.of(Loss.Input.LOGITS, Loss.Input.PROBABILITIES));

  @Test
  void aLossIsCreatedWhenItTakesAFormTheTaskGives() {
    Config task = ConfigFactory.parseString("loss { type = mse }");
    assertThat(losses.createLoss(task, "suite.methods[0]", "autoencoder", LOGITS_OR_PROBABILITIES, "mse")
        .consumes()).containsEntry("prediction", Loss.Input.PROBABILITIES);
  }

  @Test
  void aLossTakingAFormTheTaskCannotGiveIsRefusedAtItsType() {
    Config task = ConfigFactory.parseString("loss { type = mse }");
    assertThatThrownBy(() -> losses.createLoss(task, "suite.methods[0]", "byol",
        Map.of("prediction", Set.of(Loss.Input.EMBEDDINGS)), "negative-cosine"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("suite.methods[0].loss.type")
        .hasMessageContaining("the loss 'mse' takes probabilities as 'prediction' but byol gives it as embeddings;"
            + " use negative-cosine");
  }

  @Test
  void aLossDeclaringNothingServesOnlyATaskWithOneFormPerRole() {
    Config task = ConfigFactory.parseString("loss { type = legacy }");
    assertThat(losses.createLoss(task, "suite.methods[0]", "byol",
        Map.of("prediction", Set.of(Loss.Input.EMBEDDINGS)), "negative-cosine").roles()).containsExactly("prediction");
    assertThatThrownBy(() -> losses.createLoss(task, "suite.methods[0]", "autoencoder", LOGITS_OR_PROBABILITIES,
        "mse"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("the loss 'legacy' does not declare what it takes as 'prediction' (Loss.consumes),"
            + " and autoencoder can give it as logits or probabilities; use mse");
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
