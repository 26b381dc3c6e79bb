package dev.pretext.runtime.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where the datasets look for their files. A configured path is the only place looked (it and its
 * dataset subfolder): a user who names a folder must get that data or an error, never other data
 * found elsewhere. Without one: {@code $PRETEXT_DATA} (and its subfolder), then the system folder
 * Debian installs to. The first candidate that passes the dataset's check wins; if none does, the
 * error lists every place looked, in the order looked, and why each was rejected.
 *
 * @param pathKey how the configured path is named in messages, e.g. {@code suite.data.path}
 * @param subfolder the dataset's folder name inside a data folder, e.g. {@code fashion-mnist}
 * @param problemWith why a folder does not hold the dataset, or null if it does
 */
record DataLookup(String pathKey, String subfolder, Function<Path, String> problemWith) {

  /** The environment variable naming a folder of datasets. */
  static final String DATA_ENV = "PRETEXT_DATA";

  /**
   * The first folder that holds the dataset.
   *
   * @param fixes what to tell the user when nothing is found, after the list of places looked in
   * @throws DatasetException naming every place looked in and what was wrong with it
   */
  Path locate(Path configuredPath, Function<String, String> env, Path systemFolder, String datasetName,
      String fixes) {
    List<String> looked = new ArrayList<>();
    if (configuredPath != null) {
      Path found = first(looked, configuredPath, pathKey);
      if (found != null) {
        return found;
      }
      throw notFound(datasetName + " not found in " + configuredPath + " (" + pathKey + "); $" + DATA_ENV
          + " and " + systemFolder + " are not searched when " + pathKey + " is set", looked,
          "  - put the missing files into " + configuredPath + "\n"
              + "  - or set " + pathKey + " to the folder that holds them\n"
              + "  - or remove " + pathKey + " to use $" + DATA_ENV + " or " + systemFolder);
    }
    looked.add(pathKey + ": not set");
    String fromEnv = env.apply(DATA_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      looked.add("$" + DATA_ENV + ": not set");
    } else {
      Path found = first(looked, Path.of(fromEnv.trim()), "$" + DATA_ENV);
      if (found != null) {
        return found;
      }
    }
    String problem = problemWith.apply(systemFolder);
    if (problem == null) {
      return systemFolder;
    }
    looked.add(systemFolder + " (system folder): " + problem);
    throw notFound(datasetName + " not found", looked, fixes);
  }

  /** {@code folder} or else its dataset subfolder if it holds the dataset; else null. */
  private Path first(List<String> looked, Path folder, String origin) {
    String problem = problemWith.apply(folder);
    if (problem == null) {
      return folder;
    }
    looked.add(folder + " (" + origin + "): " + problem);
    Path inner = folder.resolve(subfolder);
    problem = problemWith.apply(inner);
    if (problem == null) {
      return inner;
    }
    looked.add(inner + " (" + origin + "/" + subfolder + "): " + problem);
    return null;
  }

  private static DatasetException notFound(String headline, List<String> looked, String fixes) {
    StringBuilder message = new StringBuilder(headline).append(". Looked in:\n");
    for (int i = 0; i < looked.size(); i++) {
      message.append("  ").append(i + 1).append(". ").append(looked.get(i)).append('\n');
    }
    return new DatasetException(message.append("Fix it in one of these ways:\n").append(fixes).toString(), null);
  }
}
