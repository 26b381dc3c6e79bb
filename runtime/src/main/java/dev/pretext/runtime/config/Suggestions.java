package dev.pretext.runtime.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean …?" for a mistyped name: the closest known name by edit distance. */
public final class Suggestions {

  private Suggestions() {}

  /**
   * The known name closest to {@code typed} by Levenshtein distance, if it is close enough to be a
   * plausible typo: at most {@code max(2, typed.length() / 3)} edits. Ties go to the name that
   * sorts first, so the suggestion does not depend on the collection's iteration order.
   */
  public static Optional<String> closest(String typed, Collection<String> known) {
    int limit = Math.max(2, typed.length() / 3);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(typed, candidate);
      if (distance <= limit
          && (distance < bestDistance
              || (distance == bestDistance && candidate.compareTo(best) < 0))) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
