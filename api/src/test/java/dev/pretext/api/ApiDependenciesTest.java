package dev.pretext.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The API is interfaces, records and {@code GraphBuilder}: none of its classes may refer to ND4J's
 * internal SameDiff packages (which change without notice), to the runtime or to the toolkit (which
 * depend on the API, not the other way round). A class referring to another one names it in its
 * constant pool as {@code a/b/C}, so the compiled classes are searched for those prefixes.
 */
class ApiDependenciesTest {

  private static final List<String> FORBIDDEN =
      List.of("org/nd4j/autodiff/samediff/internal", "dev/pretext/runtime", "dev/pretext/toolkit");

  @Test
  void noApiClassRefersToSameDiffInternalsTheRuntimeOrTheToolkit() throws Exception {
    Path classes = Path.of(ApiVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(f -> f.toString().endsWith(".class")).sorted().toList();
    }
    assertThat(files).as("the api's compiled classes in " + classes)
        .contains(classes.resolve("dev/pretext/api/graph/GraphBuilder.class"));
    List<String> references = new ArrayList<>();
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      for (String prefix : forbiddenIn(bytes)) {
        references.add(classes.relativize(file) + " refers to " + prefix);
      }
    }
    assertThat(references).isEmpty();
  }

  @Test
  void theSearchFindsAReferenceWhereThereIsOne() throws IOException {
    // SameDiff runs its graphs with InferenceSession, from samediff.internal.
    try (InputStream in = SameDiff.class.getResourceAsStream("SameDiff.class")) {
      assertThat(forbiddenIn(in.readAllBytes())).containsExactly("org/nd4j/autodiff/samediff/internal");
    }
  }

  private static List<String> forbiddenIn(byte[] classFile) {
    List<String> found = new ArrayList<>();
    for (String prefix : FORBIDDEN) {
      if (contains(classFile, prefix.getBytes(StandardCharsets.UTF_8))) {
        found.add(prefix);
      }
    }
    return found;
  }

  private static boolean contains(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
