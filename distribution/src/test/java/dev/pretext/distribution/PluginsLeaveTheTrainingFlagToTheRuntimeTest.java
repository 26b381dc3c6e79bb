package dev.pretext.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.graph.GraphBuilder;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No shipped plugin sets the graph's training flag: visuals and pretext metrics go through the
 * runtime's {@code GraphRunner}. The flag's name is a compile-time constant, so a class using
 * {@code GraphBuilder.TRAINING_FLAG} (or its value) holds the name in its constant pool: the
 * class files of every plugin on this module's test class path are searched for it.
 */
class PluginsLeaveTheTrainingFlagToTheRuntimeTest {

  private static final byte[] FLAG = GraphBuilder.TRAINING_FLAG.getBytes(StandardCharsets.UTF_8);

  @Test
  void noShippedPluginClassNamesTheTrainingFlag() throws Exception {
    List<URL> plugins = Collections.list(getClass().getClassLoader()
        .getResources("META-INF/services/dev.pretext.api.PretextPlugin"));
    assertThat(plugins).as("the ten shipped plugins").hasSize(10);
    List<String> naming = new ArrayList<>();
    for (URL plugin : plugins) {
      naming.addAll(classesNamingTheFlag(plugin));
    }
    assertThat(naming).isEmpty();
  }

  @Test
  void theSearchFindsTheFlagWhereItIsNamed() throws Exception {
    try (InputStream in = GraphBuilder.class.getResourceAsStream("GraphBuilder.class")) {
      assertThat(contains(in.readAllBytes(), FLAG)).isTrue();
    }
  }

  /** The classes of the plugin whose service file is at {@code serviceFile} that hold the flag's name. */
  private static List<String> classesNamingTheFlag(URL serviceFile) throws Exception {
    List<String> naming = new ArrayList<>();
    if (serviceFile.getProtocol().equals("jar")) {
      JarURLConnection connection = (JarURLConnection) serviceFile.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = new JarFile(Path.of(connection.getJarFileURL().toURI()).toFile())) {
        for (JarEntry entry : Collections.list(jar.entries())) {
          if (entry.getName().endsWith(".class")) {
            try (InputStream in = jar.getInputStream(entry)) {
              if (contains(in.readAllBytes(), FLAG)) {
                naming.add(jar.getName() + "!" + entry.getName());
              }
            }
          }
        }
      }
    } else {
      // A reactor build's class folder: META-INF/services/<file> is two levels below its root.
      Path root = Path.of(serviceFile.toURI()).getParent().getParent().getParent();
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
          if (contains(Files.readAllBytes(file), FLAG)) {
            naming.add(file.toString());
          }
        }
      }
    }
    return naming;
  }

  private static boolean contains(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int k = 0; k < part.length; k++) {
        if (bytes[i + k] != part[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
