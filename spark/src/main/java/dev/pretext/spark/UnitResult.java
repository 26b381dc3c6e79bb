package dev.pretext.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;

/**
 * What one task returns: its entry as results.json writes it, and the entry's files (kept encoder,
 * figures, visuals) by their path relative to the run folder.
 *
 * @param host the executor's host, for the driver's log
 * @param seconds the task's wall time
 */
record UnitResult(String entryJson, LinkedHashMap<String, byte[]> files, String host,
    double seconds) implements Serializable {

  private static final long serialVersionUID = 1L;
}
