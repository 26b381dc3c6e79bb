package dev.pretext.spark;

import dev.pretext.runtime.config.Suite;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * The Spark configuration of a run: the master, {@code spark.*} system properties (e.g. from
 * {@code PRETEXT_OPTS="-Dspark.executor.memory=2g"}) and what Pretext sets unless they do.
 */
final class SparkSettings {

  private SparkSettings() {}

  static SparkConf of(String master, Suite suite) {
    SparkConf conf = new SparkConf().setMaster(master).setAppName("pretext " + suite.name());
    // Executors load the runtime and ND4J's native libraries from the paths the driver has them at
    // (an installed Pretext at the same place on each node), not shipped with the job.
    conf.setIfMissing("spark.executor.extraClassPath", String.join(File.pathSeparator, executorClassPath()));
    conf.setIfMissing("spark.task.cpus", String.valueOf(threadsPerTask(suite)));
    // As the launcher sets them for itself (bin/pretext): native arrays reuse freed memory.
    for (String name : List.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")) {
      String value = System.getenv(name);
      if (value != null) {
        conf.setIfMissing("spark.executorEnv." + name, value);
      }
    }
    return conf;
  }

  /** The settings a user may want to see in the log. */
  static String describe(SparkConf conf) {
    List<String> shown = new ArrayList<>();
    for (String key : List.of("spark.task.cpus", "spark.executor.memory", "spark.executor.cores")) {
      if (conf.contains(key)) {
        shown.add(key + "=" + conf.get(key));
      }
    }
    return String.join(", ", shown);
  }

  /** A unit's native threads: the suite's fixed {@code threads}, else one. */
  static int threadsPerTask(Suite suite) {
    String threads = suite.threads();
    return threads == null || threads.equals("auto") ? 1 : Integer.parseInt(threads.strip());
  }

  /** This JVM's class path without Spark's own jars: the runner's jar and the native libraries. */
  static List<String> executorClassPath() {
    Path sparkJars = realFolder(Path.of(SparkSuiteRunner.classPathOf(SparkConf.class)));
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isBlank() && !sparkJars.equals(realFolder(Path.of(entry)))) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return entries;
  }

  /** The folder holding {@code jar}, links resolved: the class path may name Spark's jars through a link. */
  private static Path realFolder(Path jar) {
    try {
      return jar.toRealPath().getParent();
    } catch (java.io.IOException e) {
      return jar.toAbsolutePath().getParent();
    }
  }

}
