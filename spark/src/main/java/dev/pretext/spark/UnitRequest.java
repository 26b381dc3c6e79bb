package dev.pretext.spark;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What one Spark task runs: one entry (a baseline, a method or a sweep point, by the name results use)
 * of one seed, of the suite the driver loaded.
 *
 * @param suiteFileName the suite file's name, for the executor's messages
 * @param suiteText the suite file with its includes in place, loaded again on the executor
 * @param overrides the run's {@code --set} overrides, then the executor's thread count
 * @param pluginsFolder the driver's plugins folder: used where the shipped archive is not unpacked (local mode)
 */
record UnitRequest(String suiteFileName, String suiteText, ArrayList<String> overrides, long seed, String name,
    String pluginsFolder) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** "name (seed s)", as logs say it. */
  String describe() {
    return name + " (seed " + seed + ")";
  }
}
