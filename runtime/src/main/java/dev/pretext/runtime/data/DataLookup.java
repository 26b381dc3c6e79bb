package dev.pretext.runtime.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where the datasets look for their files, in order: the suite's configured path (and its dataset
 * subfolder), {@code $PRETEXT_DATA} (and its subfolder), the system folder Debian installs to. The
 * first candidate that passes the dataset's check wins; if none does, the error lists every place
 * looked and why it was rejected.
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
    List<Path> candidates = new ArrayList<>();
    List<String> origins = new ArrayList<>();
    if (configuredPath == null) {
      looked.add(pathKey + ": not set");
    } else {
      candidates.add(configuredPath);
      origins.add(pathKey);
      candidates.add(configuredPath.resolve(subfolder));
      origins.add(pathKey + "/" + subfolder);
    }
    String fromEnv = env.apply(DATA_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      looked.add("$" + DATA_ENV + ": not set");
    } else {
      Path folder = Path.of(fromEnv.trim());
      candidates.add(folder);
      origins.add("$" + DATA_ENV);
      candidates.add(folder.resolve(subfolder));
      origins.add("$" + DATA_ENV + "/" + subfolder);
    }
    candidates.add(systemFolder);
    origins.add("system folder");
    for (int i = 0; i < candidates.size(); i++) {
      String problem = problemWith.apply(candidates.get(i));
      if (problem == null) {
        return candidates.get(i);
      }
      looked.add(candidates.get(i) + " (" + origins.get(i) + "): " + problem);
    }
    StringBuilder message = new StringBuilder(datasetName).append(" not found. Looked in:\n");
    for (int i = 0; i < looked.size(); i++) {
      message.append("  ").append(i + 1).append(". ").append(looked.get(i)).append('\n');
    }
    throw new DatasetException(message.append("Fix it in one of these ways:\n").append(fixes).toString(), null);
  }
}
