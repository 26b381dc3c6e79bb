package dev.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The add-on's pretext-spark.jar can sit anywhere on a class path beside Spark's jars: no class of
 * it is one of Spark's (what clashed is relocated under dev.pretext.shaded, what Spark has at the
 * same or a newer version is left to Spark), and ND4J's native libraries stay in the installation.
 */
class JobJarIT {

  private static final Path ADD_ON = Path.of(System.getProperty("pretext.spark.add-on"));

  @Test
  void theJobJarSharesNoClassWithSparkAndCarriesNoNativeLibraries() throws IOException {
    Set<String> spark = new HashSet<>();
    try (Stream<Path> jars = Files.list(ADD_ON.resolve("jars"))) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        spark.addAll(classes(jar));
      }
    }
    List<String> job = classes(ADD_ON.resolve("pretext-spark.jar"));
    assertThat(job).contains("dev/pretext/runtime/SuiteRunner.class", "dev/pretext/spark/SparkSuiteRunner.class",
        "dev/pretext/shaded/jackson/databind/ObjectMapper.class", "dev/pretext/shaded/guice/Guice.class",
        "dev/pretext/shaded/guava/collect/ImmutableList.class", "org/nd4j/linalg/factory/Nd4j.class",
        "com/typesafe/config/Config.class", "dev/pretext/api/PretextTask.class");
    assertThat(job).filteredOn(spark::contains).isEmpty();
    assertThat(job).noneMatch(c -> c.startsWith("com/fasterxml/") || c.startsWith("com/google/common/")
        || c.startsWith("com/google/inject/") || c.startsWith("org/slf4j/"));
    try (ZipFile zip = new ZipFile(ADD_ON.resolve("pretext-spark.jar").toFile())) {
      // ND4J's, OpenBLAS's, oneDNN's and JavaCPP's (JNA's own small ones come with its classes).
      assertThat(zip.stream().map(ZipEntry::getName))
          .noneMatch(n -> (n.startsWith("org/bytedeco/") || n.startsWith("org/nd4j/")) && n.contains(".so"));
    }
  }

  private static List<String> classes(Path jar) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      zip.stream().map(ZipEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
          .forEach(names::add);
    }
    return names;
  }
}
