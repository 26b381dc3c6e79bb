package dev.pretext.runtime.config;

import java.util.List;

/** Every problem found in a suite, reported together before any training starts. */
public final class SuiteConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  public SuiteConfigException(String what, List<ConfigProblem> problems) {
    super(format(what, problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in the order they were found. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String format(String what, List<ConfigProblem> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append(what).append(" has ").append(problems.size())
        .append(problems.size() == 1 ? " problem:" : " problems:");
    for (int i = 0; i < problems.size(); i++) {
      sb.append("\n  ").append(i + 1).append(". ").append(problems.get(i));
    }
    return sb.toString();
  }
}
