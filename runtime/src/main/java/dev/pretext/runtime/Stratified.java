package dev.pretext.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded stratified sampling: each class keeps its share of the labels. */
public final class Stratified {

  private Stratified() {}

  /**
   * Indices of about {@code count} items with each class represented in proportion to its
   * frequency (rounded down, the remainder given to the largest classes), sorted ascending.
   */
  public static int[] indices(int[] labels, int count, long seed) {
    int classes = 0;
    for (int l : labels) {
      classes = Math.max(classes, l + 1);
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    Random random = new Random(seed);
    List<Integer> chosen = new ArrayList<>();
    int[] quota = new int[classes];
    int assigned = 0;
    for (int c = 0; c < classes; c++) {
      quota[c] = (int) ((long) count * byClass.get(c).size() / labels.length);
      assigned += quota[c];
    }
    for (int c = 0; assigned < count && c < classes; c++) {
      if (quota[c] < byClass.get(c).size()) {
        quota[c]++;
        assigned++;
      }
    }
    for (int c = 0; c < classes; c++) {
      List<Integer> members = new ArrayList<>(byClass.get(c));
      Collections.shuffle(members, random);
      chosen.addAll(members.subList(0, quota[c]));
    }
    return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
