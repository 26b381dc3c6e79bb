package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.data.ImageSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** A run's resident ceiling follows from its decoded data, under the machine-derived limit. */
class MemoryLimitsTest {

  private static final long MB = 1L << 20;

  @Test
  void theCeilingIsABasePlusEightTimesTheDecodedImagesUnderTheMachinesLimit() {
    // The embedded sample: 6,000 + 1,000 images of 28 x 28 floats (22 MB); the demo peaked at 2.1 GB.
    long sample = 7_000L * 28 * 28 * 4;
    assertThat(MemoryLimits.ceiling(sample, 12_288 * MB)).isEqualTo(2560 * MB + 8 * sample)
        .isBetween(2600 * MB, 2800 * MB).isLessThan(4096 * MB);
    // Full Fashion-MNIST (220 MB decoded); its runs peaked at 3.0 and 3.4 GB.
    long full = 70_000L * 28 * 28 * 4;
    assertThat(MemoryLimits.ceiling(full, 12_288 * MB)).isBetween(4200 * MB, 4400 * MB);
    // A machine (or PRETEXT_MAXRSS) with less: its limit is the ceiling.
    assertThat(MemoryLimits.ceiling(full, 3000 * MB)).isEqualTo(3000 * MB);
    assertThat(MemoryLimits.ceiling(0, 0)).isEqualTo(MemoryLimits.BASE);
    // Two entries at once (suite.workers = 2): one more entry's working set, the data counted once.
    assertThat(MemoryLimits.ceiling(sample, 2, 12_288 * MB))
        .isEqualTo(MemoryLimits.ceiling(sample, 12_288 * MB) + MemoryLimits.PER_EXTRA_ENTRY).isLessThan(4096 * MB + MB);
  }

  @Test
  void dataBytesCountEachImageSetOnceAndItsFloats() {
    ImageSet train = set(30);
    ImageSet test = set(10);
    assertThat(MemoryLimits.dataBytes(Arrays.asList(train, test, train, null))).isEqualTo(40L * 28 * 28 * 4);
    assertThat(MemoryLimits.dataBytes(List.of())).isZero();
  }

  @Test
  void describeNamesTheCeilingAndTheFormula() {
    long sample = 7_000L * 28 * 28 * 4;
    assertThat(MemoryLimits.describe(sample, 1)).startsWith("Memory: resident ceiling "
        + (MemoryLimits.ceilingFor(sample, 1) >> 20) + " MB for this run (2560 MB + 8 x 21 MB of decoded images");
  }

  private static ImageSet set(int n) {
    int[] labels = new int[n];
    Arrays.setAll(labels, i -> i % 2);
    return new ImageSet(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, 1, 28, 28), labels,
        List.of("a", "b"), "test images");
  }
}
