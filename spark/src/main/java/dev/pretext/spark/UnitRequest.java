package dev.pretext.spark;

import dev.pretext.runtime.WorkUnit;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * What one Spark task runs: one unit (an entry of a seed, {@link WorkUnit}) of the suite the driver loaded.
 *
 * @param suiteFileName the suite file's name, for the executor's messages
 * @param suiteText the suite file with its includes in place, loaded again on the executor
 * @param overrides the run's {@code --set} overrides, then the executor's thread count
 * @param pluginsFolder the driver's plugins folder: used where the shipped archive is not unpacked (local mode)
 */
record UnitRequest(String suiteFileName, String suiteText, ArrayList<String> overrides, WorkUnit unit,
    String pluginsFolder) implements Serializable {

  private static final long serialVersionUID = 1L;
}
