package dev.pretext.plugins.jigsaw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermutationSetTest {

  private static Set<String> distinct(PermutationSet set) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < set.size(); i++) {
      int[] sorted = set.get(i).clone();
      Arrays.sort(sorted);
      assertThat(sorted).as("entry %d is a permutation", i)
          .containsExactly(java.util.stream.IntStream.range(0, set.tiles()).toArray());
      seen.add(Arrays.toString(set.get(i)));
    }
    return seen;
  }

  @Test
  void allPermutationsAreEnumeratedInLexicographicOrder() {
    byte[] all = PermutationSet.allPermutations(3);
    assertThat(all).containsExactly(0, 1, 2, 0, 2, 1, 1, 0, 2, 1, 2, 0, 2, 0, 1, 2, 1, 0);
    assertThat(PermutationSet.allPermutations(9)).hasSize(362_880 * 9);
  }

  @Test
  void theDefaultSetHasTheConfiguredSizeNoDuplicatesAndItsReportedMinimumDistance() {
    PermutationSet set = PermutationSet.greedy(9, 100, 1);
    assertThat(set.size()).isEqualTo(100);
    assertThat(distinct(set)).hasSize(100);
    int bruteForce = Integer.MAX_VALUE;
    for (int i = 0; i < set.size(); i++) {
      for (int j = 0; j < set.size(); j++) {
        if (i != j) {
          bruteForce = Math.min(bruteForce, PermutationSet.hamming(set.get(i), set.get(j)));
        }
      }
    }
    assertThat(set.minimumDistance()).isEqualTo(bruteForce);
    // Greedy selection keeps 100 of the 9! orders far apart: far more than the 2 of two random orders.
    assertThat(set.minimumDistance()).isGreaterThanOrEqualTo(6);
  }

  @Test
  void smallSetsMatchHandCountedDistances() {
    // Of the 24 orders of 4 tiles at most 4 are pairwise 4 apart (each position takes each tile once).
    PermutationSet four = PermutationSet.greedy(4, 4, 3);
    assertThat(four.minimumDistance()).isEqualTo(4);
    for (int t = 0; t < 4; t++) {
      Set<Integer> atPosition = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        atPosition.add(four.get(i)[t]);
      }
      assertThat(atPosition).as("position %d", t).hasSize(4);
    }
    // All 24 include orders one swap apart.
    PermutationSet every = PermutationSet.greedy(4, 24, 3);
    assertThat(distinct(every)).hasSize(24);
    assertThat(every.minimumDistance()).isEqualTo(2);
    assertThat(PermutationSet.minimumDistance(every.all())).isEqualTo(2);
  }

  @Test
  void selectionIsDeterministicForASeedAndDiffersAcrossSeeds() {
    PermutationSet a = PermutationSet.greedy(9, 30, 42);
    PermutationSet b = PermutationSet.greedy(9, 30, 42);
    PermutationSet c = PermutationSet.greedy(9, 30, 43);
    assertThat(a.samePermutations(b)).isTrue();
    assertThat(a.samePermutations(c)).isFalse();
  }

  @Test
  void gridsBeyondEnumerationUseARandomPool() {
    PermutationSet set = PermutationSet.greedy(16, 20, 5);
    assertThat(distinct(set)).hasSize(20);
    assertThat(set.minimumDistance()).isEqualTo(PermutationSet.minimumDistance(set.all()));
    assertThat(set.minimumDistance()).isGreaterThanOrEqualTo(12);
    assertThat(PermutationSet.greedy(16, 20, 5).samePermutations(set)).isTrue();
  }

  @Test
  void inverseUndoesThePermutation() {
    int[] p = {2, 0, 3, 1};
    int[] inv = PermutationSet.inverse(p);
    for (int i = 0; i < p.length; i++) {
      assertThat(inv[p[i]]).isEqualTo(i);
    }
  }

  @Test
  void writtenSetReadsBackWithItsDistance(@TempDir Path dir) throws Exception {
    PermutationSet set = PermutationSet.greedy(9, 12, 8);
    Path file = set.write(dir.resolve("p.json"), 3);
    PermutationSet back = PermutationSet.read(file);
    assertThat(back.samePermutations(set)).isTrue();
    assertThat(back.minimumDistance()).isEqualTo(set.minimumDistance());
    assertThat(java.nio.file.Files.readString(file))
        .contains("\"minimum_hamming_distance\": " + set.minimumDistance())
        .contains("\"count\": 12").contains("\"grid\": 3");
  }

  @Test
  void factorialSaturates() {
    assertThat(PermutationSet.factorial(4)).isEqualTo(24);
    assertThat(PermutationSet.factorial(9)).isEqualTo(362_880);
    assertThat(PermutationSet.factorial(25)).isEqualTo(Long.MAX_VALUE);
  }
}
