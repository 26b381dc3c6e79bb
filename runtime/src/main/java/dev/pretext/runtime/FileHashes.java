package dev.pretext.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * SHA-256 of the jars and data files runs read, each computed once and kept for the process, keyed
 * by path, size and modification time (a file rewritten in place is hashed again).
 */
final class FileHashes {

  private record Key(Path path, long size, long modified) {}

  private static final Map<Key, String> CACHE = new ConcurrentHashMap<>();
  private static final Map<String, Hashed> RESOURCES = new ConcurrentHashMap<>();

  /** A classpath resource's size and SHA-256. */
  record Hashed(long bytes, String sha256) {}

  private FileHashes() {}

  /** The SHA-256 of a file, in lower-case hex. */
  static String of(Path file) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    Key key = new Key(absolute, Files.size(absolute), Files.getLastModifiedTime(absolute).toMillis());
    String cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    String hash;
    try (InputStream in = Files.newInputStream(absolute)) {
      hash = digest(in);
    }
    CACHE.put(key, hash);
    return hash;
  }

  /**
   * The SHA-256 of a listing of {@code files}, one line "relative/path SHA-256" each (paths relative
   * to {@code root} with '/', sorted), so that it changes when any file is added, removed, renamed
   * or changed, and not with the order a file system lists them in.
   */
  static String ofListing(Path root, List<Path> files) throws IOException {
    StringBuilder listing = new StringBuilder();
    for (Path file : files.stream().sorted((a, b) -> relative(root, a).compareTo(relative(root, b))).toList()) {
      listing.append(relative(root, file)).append(' ').append(of(file)).append('\n');
    }
    return digest(new java.io.ByteArrayInputStream(listing.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** {@link #ofListing} over every regular file below {@code folder}. */
  static String ofFolder(Path folder) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      return ofListing(folder, walk.filter(Files::isRegularFile).toList());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The size and SHA-256 of a classpath resource of the runtime, or null if it is missing. */
  static Hashed ofResource(String name) throws IOException {
    Hashed cached = RESOURCES.get(name);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = FileHashes.class.getResourceAsStream(name)) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readAllBytes();
      Hashed hashed = new Hashed(bytes.length, digest(new java.io.ByteArrayInputStream(bytes)));
      RESOURCES.put(name, hashed);
      return hashed;
    }
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  private static String digest(InputStream in) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      sha.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
