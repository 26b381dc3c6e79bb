package dev.pretext.runtime.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every file a run writes into its folder goes through here: written to a temporary beside it and
 * renamed over it, so a reader (or a crash, or a full disk) never sees half a file. The temporary
 * is removed when writing fails; one left by a killed process is removed by the next run.
 */
public final class AtomicFiles {

  /** Writes a file's content to the temporary it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path tmp) throws IOException;
  }

  /** Writes a file's content to a stream. */
  @FunctionalInterface
  public interface StreamContent {
    void writeTo(OutputStream out) throws IOException;
  }

  private static final String SUFFIX = ".tmp";
  /** The temporaries of Pretext versions that named them without a pid. */
  private static final Set<String> EARLIER =
      Set.of("results.json.tmp", "results.md.tmp", "results.csv.tmp", "resolved.conf.tmp");

  private AtomicFiles() {}

  /**
   * Replaces {@code file} with what {@code content} writes, atomically.
   *
   * @throws WriteFailedException naming the file and the cause; the temporary is gone
   */
  public static void write(Path file, Content content) throws WriteFailedException {
    // The pid tells the next run whether a leftover temporary's writer is still alive.
    Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + SUFFIX);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      content.writeTo(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException notRemoved) {
        e.addSuppressed(notRemoved);
      }
      // Libraries (SameDiff, XChart) wrap the IOException of a full disk in unchecked ones.
      Throwable cause = e;
      while (!(cause instanceof IOException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (!(cause instanceof IOException)) {
        throw (RuntimeException) e;
      }
      throw new WriteFailedException(file, cause);
    }
  }

  /** Replaces {@code file} with {@code text} (UTF-8), atomically. */
  public static void writeString(Path file, CharSequence text) throws WriteFailedException {
    write(file, tmp -> Files.writeString(tmp, text));
  }

  /** Replaces {@code file} with the bytes {@code content} writes to a stream, atomically. */
  public static void writeStream(Path file, StreamContent content) throws WriteFailedException {
    write(file, tmp -> {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        content.writeTo(out);
      }
    });
  }

  /**
   * Removes temporaries of this class left in {@code folders} (not below them) by a process that
   * is gone, and the results' temporaries of earlier Pretext versions. A run calls it at its
   * start, when none of its own can be in flight yet (its pid may be that of a killed run).
   */
  public static void removeStale(List<Path> folders) throws IOException {
    long self = ProcessHandle.current().pid();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (Stream<Path> files = Files.list(folder)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList()) {
          String name = f.getFileName().toString();
          long pid = writerPid(name);
          boolean stale = pid < 0 ? EARLIER.contains(name)
              : pid == self || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
          if (stale && Files.isRegularFile(f)) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
  }

  /** The pid in {@code name.<pid>.tmp}, or -1 for a name without one. */
  private static long writerPid(String name) {
    String stem = name.substring(0, name.length() - SUFFIX.length());
    String last = stem.substring(stem.lastIndexOf('.') + 1);
    try {
      return last.isEmpty() || !last.chars().allMatch(Character::isDigit) ? -1 : Long.parseLong(last);
    } catch (NumberFormatException tooLong) {
      return -1;
    }
  }
}
