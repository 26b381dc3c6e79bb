package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.Loss;
import dev.pretext.runtime.plugins.LoadedPlugin;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StandardComponentsTest {

  @Test
  void theKitBringsTheStandardComponents() {
    assertThat(TestKit.encoder("conv4", "", 1)).isNotNull();
    assertThat(TestKit.components(1).create(Loss.class, "nt-xent", ConfigFactory.empty(), "test.loss")).isNotNull();
  }

  @Test
  void theListOfStandardTypesIsThePluginsOwn() {
    LoadedPlugin standard = TestKit.plugins().plugins().stream()
        .filter(p -> p.name().equals(StandardComponents.PLUGIN)).findFirst().orElseThrow();
    Set<String> types = new TreeSet<>();
    Arrays.stream(ComponentKind.values()).forEach(kind -> types.addAll(standard.types(kind)));
    assertThat(StandardComponents.TYPES).containsExactlyInAnyOrderElementsOf(types);
  }

  @Test
  void aMissingStandardComponentIsTracedToTheMissingPlugin() {
    String runtime = "test.task.loss.type: unknown loss 'nt-xent'. Known losses: none";
    assertThat(StandardComponents.missingHint(runtime, Set.of("simclr")))
        .isEqualTo("'nt-xent' is provided by pretext-plugin-standard, which the test class path lacks: depend on"
            + " dev.pretext:pretext-testkit (it brings it) with scope test, or add dev.pretext:pretext-plugin-standard"
            + " with scope test");
    assertThat(StandardComponents.missingHint(runtime, Set.of("simclr", "standard"))).as("standard loaded").isNull();
    assertThat(StandardComponents.missingHint("unknown encoder 'vit'. Known encoders: none", Set.of()))
        .as("not a standard type").isNull();
    assertThat(StandardComponents.missingHint(null, Set.of())).isNull();
  }

  @Test
  void anUnknownTypeWithTheStandardPluginLoadedFailsAsTheRuntimeSaysIt() {
    assertThatThrownBy(() -> TestKit.encoder("conv5", "", 1))
        .hasMessageContaining("unknown encoder 'conv5'; did you mean 'conv4'?")
        .hasMessageNotContaining("pretext-plugin-standard");
  }
}
