package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Collections come every 256 MB of growth, and every 32 MB once within 256 MB of the run's ceiling. */
class NativeMemoryTest {

  private static final long MB = 1L << 20;

  @Test
  void collectsMoreOftenNearTheCeiling() {
    long ceiling = 3000 * MB;
    // Far below it: 256 MB of growth.
    assertThat(NativeMemory.due(1200 * MB, 1000 * MB, ceiling)).isFalse();
    assertThat(NativeMemory.due(1257 * MB, 1000 * MB, ceiling)).isTrue();
    // Within 256 MB of it: 32 MB.
    assertThat(NativeMemory.due(2800 * MB, 2780 * MB, ceiling)).isFalse();
    assertThat(NativeMemory.due(2800 * MB, 2760 * MB, ceiling)).isTrue();
    assertThat(NativeMemory.due(3100 * MB, 3060 * MB, ceiling)).isTrue();
    // No ceiling: growth alone.
    assertThat(NativeMemory.due(2800 * MB, 2760 * MB, 0)).isFalse();
  }
}
