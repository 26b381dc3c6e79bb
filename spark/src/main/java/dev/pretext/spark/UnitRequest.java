package dev.pretext.spark;

import java.io.Serializable;

/**
 * What one Spark task runs: one entry (a baseline, a method or a sweep point, by the name results use)
 * of one seed, of the suite as the driver resolved it.
 *
 * @param suiteName the suite's name, for logs
 * @param resolvedSuite the driver's resolved suite (HOCON, as {@code resolved.conf}), loaded again on the executor
 * @param pluginsFolder the driver's plugins folder: used where the shipped archive is not unpacked (local mode)
 */
record UnitRequest(String suiteName, String resolvedSuite, long seed, String name, String pluginsFolder)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** "name (seed s)", as logs say it. */
  String describe() {
    return name + " (seed " + seed + ")";
  }
}
