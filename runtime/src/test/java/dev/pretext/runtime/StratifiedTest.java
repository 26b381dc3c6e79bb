package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.evaluation.Protocols;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StratifiedTest {

  private static int[] labels() {
    int[] labels = new int[1000];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i < 500 ? 0 : i < 800 ? 1 : 2; // 50 % / 30 % / 20 %
    }
    return labels;
  }

  @Test
  void keepsEachClassShareAndTheRequestedCount() {
    int[] idx = Stratified.indices(labels(), 100, 3);
    assertThat(idx).hasSize(100).doesNotHaveDuplicates();
    int[] counts = new int[3];
    for (int i : idx) {
      counts[labels()[i]]++;
    }
    assertThat(counts).containsExactly(50, 30, 20);
  }

  @Test
  void sameSeedSameSubsetOtherSeedOtherSubset() {
    assertThat(Stratified.indices(labels(), 10, 1)).containsExactly(Stratified.indices(labels(), 10, 1));
    assertThat(Arrays.equals(Stratified.indices(labels(), 10, 1), Stratified.indices(labels(), 10, 2))).isFalse();
  }

  @Test
  void fractionKeysNameThePercentage() {
    assertThat(Protocols.fractionKey(0.01)).isEqualTo("linear_probe_1pct");
    assertThat(Protocols.fractionKey(0.1)).isEqualTo("linear_probe_10pct");
    assertThat(Protocols.fractionKey(0.005)).isEqualTo("linear_probe_0_5pct");
  }
}
