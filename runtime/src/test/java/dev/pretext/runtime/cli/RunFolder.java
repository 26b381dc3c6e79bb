package dev.pretext.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a run folder holds, read for the fault-injection tests' comparisons. */
final class RunFolder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunFolder() {}

  /** The entries of {@code folder/results.json} by "name seed", empty when there is none yet. */
  static Map<String, JsonNode> entries(Path folder) throws IOException {
    Path file = folder.resolve("results.json");
    Map<String, JsonNode> entries = new LinkedHashMap<>();
    if (Files.exists(file)) {
      JSON.readTree(file.toFile()).path("entries")
          .forEach(e -> entries.put(e.path("name").asText() + " seed " + e.path("seed").asLong(), e));
    }
    return entries;
  }

  /** Every file under {@code dir} (relative path → SHA-256), empty when it does not exist. */
  static Map<String, String> hashes(Path dir) throws IOException {
    Map<String, String> hashes = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return hashes;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        hashes.put(dir.relativize(f).toString(), sha256(Files.readAllBytes(f)));
      }
    }
    return hashes;
  }

  /** The files under {@code dir} whose name ends with {@code .tmp}, as paths relative to it. */
  static java.util.List<String> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).map(f -> dir.relativize(f).toString())
          .toList();
    }
  }

  static JsonNode read(Path json) throws IOException {
    return JSON.readTree(json.toFile());
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
