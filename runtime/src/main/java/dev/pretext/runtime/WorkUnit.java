package dev.pretext.runtime;

import java.io.Serializable;

/**
 * One entry of one seed of a suite: a baseline or a method (a sweep point is a method), by the name
 * results give it. What {@link SuiteRunner#plan} lists and a Spark task runs.
 */
public record WorkUnit(long seed, String name) implements Serializable {

  /** E.g. {@code simclr (seed 2)}. */
  public String describe() {
    return name + " (seed " + seed + ")";
  }
}
