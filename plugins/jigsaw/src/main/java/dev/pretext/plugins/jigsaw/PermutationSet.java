package dev.pretext.plugins.jigsaw;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The fixed set of tile permutations a jigsaw task predicts among, chosen for maximal Hamming
 * distance (Noroozi and Favaro 2016, Algorithm 1, "maximal" variant): start from a random
 * permutation, then repeatedly add the candidate whose minimum Hamming distance to the permutations
 * chosen so far is the largest (the first such candidate on ties).
 *
 * <p>Candidates: every permutation when there are at most {@value #ENUMERATION_LIMIT} of them (all
 * 9! = 362,880 for a 3×3 grid, in lexicographic order), otherwise a pool of
 * {@value #POOL_SIZE} distinct random permutations drawn from the seed (a 4×4 grid has 16! ≈ 2·10¹³).
 * Each step only updates one running minimum per candidate, so choosing N permutations costs
 * N × candidates × tiles byte comparisons: about 3·10⁸ for the default 100 of 9!, well under a
 * second.
 *
 * <p>Convention: permutation p puts original tile {@code p[i]} at position i of the puzzle.
 */
final class PermutationSet {

  static final int ENUMERATION_LIMIT = 1_000_000;
  static final int POOL_SIZE = 100_000;

  private final int tiles;
  private final int[][] permutations;
  private final int minimumDistance;
  private final long seed;
  private final String selection;

  private PermutationSet(int tiles, int[][] permutations, int minimumDistance, long seed,
      String selection) {
    this.tiles = tiles;
    this.permutations = permutations;
    this.minimumDistance = minimumDistance;
    this.seed = seed;
    this.selection = selection;
  }

  /** {@code n!}, or {@link Long#MAX_VALUE} when it does not fit a long. */
  static long factorial(int n) {
    long f = 1;
    for (int i = 2; i <= n; i++) {
      if (f > Long.MAX_VALUE / i) {
        return Long.MAX_VALUE;
      }
      f *= i;
    }
    return f;
  }

  /** Chooses {@code count} permutations of {@code tiles} tiles greedily from {@code seed}. */
  static PermutationSet greedy(int tiles, int count, long seed) {
    if (tiles < 2 || tiles > 127) {
      throw new IllegalArgumentException("tiles must be in 2..127, got " + tiles);
    }
    if (count < 1 || count > factorial(tiles)) {
      throw new IllegalArgumentException("count must be in 1.." + tiles + "!, got " + count);
    }
    Random random = new Random(seed);
    boolean enumerate = factorial(tiles) <= ENUMERATION_LIMIT;
    byte[] pool = enumerate ? allPermutations(tiles) : randomPool(tiles, POOL_SIZE, random);
    int candidates = pool.length / tiles;
    if (count > candidates) {
      throw new IllegalArgumentException("count " + count + " exceeds the " + candidates + " candidates");
    }
    int[] nearest = new int[candidates];
    Arrays.fill(nearest, Integer.MAX_VALUE);
    int[][] chosen = new int[count][];
    int next = random.nextInt(candidates);
    // The set's minimum pairwise distance is the smallest running minimum at which a candidate was
    // chosen: each pair is measured when its later member is chosen.
    int minimum = count < 2 ? 0 : Integer.MAX_VALUE;
    for (int s = 0; s < count; s++) {
      if (s > 0) {
        minimum = Math.min(minimum, nearest[next]);
      }
      chosen[s] = new int[tiles];
      int base = next * tiles;
      for (int t = 0; t < tiles; t++) {
        chosen[s][t] = pool[base + t];
      }
      int best = -1;
      int bestDistance = -1;
      for (int c = 0; c < candidates; c++) {
        int d = 0;
        int cb = c * tiles;
        for (int t = 0; t < tiles; t++) {
          if (pool[cb + t] != pool[base + t]) {
            d++;
          }
        }
        if (d < nearest[c]) {
          nearest[c] = d;
        }
        if (nearest[c] > bestDistance) {
          bestDistance = nearest[c];
          best = c;
        }
      }
      next = best;
    }
    String selection = enumerate
        ? "greedy maximal minimum Hamming distance over all " + tiles + "! permutations"
        : "greedy maximal minimum Hamming distance over " + candidates + " random permutations of "
            + tiles + " tiles";
    return new PermutationSet(tiles, chosen, minimum, seed, selection);
  }

  /** Every permutation of {@code 0..n-1} in lexicographic order, concatenated. */
  static byte[] allPermutations(int n) {
    int count = Math.toIntExact(factorial(n));
    byte[] out = new byte[count * n];
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) i;
    }
    for (int k = 0; k < count; k++) {
      System.arraycopy(p, 0, out, k * n, n);
      nextPermutation(p);
    }
    return out;
  }

  /** Steps {@code p} to its lexicographic successor; false at the last permutation. */
  private static boolean nextPermutation(byte[] p) {
    int i = p.length - 2;
    while (i >= 0 && p[i] >= p[i + 1]) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    int j = p.length - 1;
    while (p[j] <= p[i]) {
      j--;
    }
    byte t = p[i];
    p[i] = p[j];
    p[j] = t;
    for (int a = i + 1, b = p.length - 1; a < b; a++, b--) {
      t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
    return true;
  }

  private static byte[] randomPool(int n, int size, Random random) {
    byte[] out = new byte[size * n];
    Set<String> seen = new HashSet<>();
    byte[] p = new byte[n];
    int k = 0;
    while (k < size) {
      for (int i = 0; i < n; i++) {
        p[i] = (byte) i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        byte t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      if (seen.add(new String(p, StandardCharsets.ISO_8859_1))) {
        System.arraycopy(p, 0, out, k * n, n);
        k++;
      }
    }
    return out;
  }

  /** Number of positions at which {@code a} and {@code b} differ. */
  static int hamming(int[] a, int[] b) {
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        d++;
      }
    }
    return d;
  }

  /** The smallest pairwise Hamming distance of {@code permutations}, by comparing every pair. */
  static int minimumDistance(int[][] permutations) {
    int min = permutations.length < 2 ? 0 : Integer.MAX_VALUE;
    for (int i = 0; i < permutations.length; i++) {
      for (int j = i + 1; j < permutations.length; j++) {
        min = Math.min(min, hamming(permutations[i], permutations[j]));
      }
    }
    return min;
  }

  private double meanDistance() {
    long sum = 0;
    long pairs = 0;
    for (int i = 0; i < permutations.length; i++) {
      for (int j = i + 1; j < permutations.length; j++) {
        sum += hamming(permutations[i], permutations[j]);
        pairs++;
      }
    }
    return pairs == 0 ? 0 : (double) sum / pairs;
  }

  /** Number of tiles each permutation orders. */
  int tiles() {
    return tiles;
  }

  /** Number of permutations (the classifier's classes). */
  int size() {
    return permutations.length;
  }

  /** A copy of every permutation, in selection order. */
  int[][] all() {
    return Arrays.stream(permutations).map(int[]::clone).toArray(int[][]::new);
  }

  /** Permutation {@code index}: position i of the puzzle holds original tile {@code get(index)[i]}. */
  int[] get(int index) {
    return permutations[index];
  }

  /** The smallest Hamming distance between two permutations of the set (0 for a set of one). */
  int minimumDistance() {
    return minimumDistance;
  }

  /** The inverse of {@code p}: original tile t sits at position {@code inverse(p)[t]}. */
  static int[] inverse(int[] p) {
    int[] inv = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      inv[p[i]] = i;
    }
    return inv;
  }

  /**
   * Writes the set as JSON: grid, counts, seed, how it was selected, its minimum and mean Hamming
   * distance and the permutations, one per line.
   */
  Path write(Path file, int grid) throws IOException {
    StringBuilder s = new StringBuilder("{\n");
    s.append("  \"grid\": ").append(grid).append(",\n");
    s.append("  \"tiles\": ").append(tiles).append(",\n");
    s.append("  \"count\": ").append(permutations.length).append(",\n");
    s.append("  \"seed\": ").append(seed).append(",\n");
    s.append("  \"selection\": \"").append(selection).append("\",\n");
    s.append("  \"convention\": \"position i of the puzzle holds original tile p[i], tiles numbered row by row\",\n");
    s.append("  \"minimum_hamming_distance\": ").append(minimumDistance).append(",\n");
    s.append("  \"mean_hamming_distance\": ")
        .append(String.format(Locale.ROOT, "%.4f", meanDistance())).append(",\n");
    s.append("  \"permutations\": [\n");
    for (int i = 0; i < permutations.length; i++) {
      s.append("    ").append(Arrays.toString(permutations[i]))
          .append(i + 1 < permutations.length ? ",\n" : "\n");
    }
    s.append("  ]\n}\n");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
    return file;
  }

  /** Reads what {@link #write} wrote, checking that every entry is a permutation of the tiles. */
  static PermutationSet read(Path file) {
    Config c = ConfigFactory.parseFile(file.toFile());
    int tiles = c.getInt("tiles");
    List<int[]> list = new ArrayList<>();
    for (Object row : c.getList("permutations").unwrapped()) {
      int[] p = ((List<?>) row).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
      int[] check = p.clone();
      Arrays.sort(check);
      for (int i = 0; i < check.length; i++) {
        if (check.length != tiles || check[i] != i) {
          throw new IllegalArgumentException(file + ": " + Arrays.toString(p)
              + " is not a permutation of " + tiles + " tiles");
        }
      }
      list.add(p);
    }
    int[][] permutations = list.toArray(int[][]::new);
    return new PermutationSet(tiles, permutations, minimumDistance(permutations), c.getLong("seed"),
        c.getString("selection"));
  }

  /** True if both sets hold the same permutations in the same order. */
  boolean samePermutations(PermutationSet other) {
    return Arrays.deepEquals(permutations, other.permutations);
  }
}
