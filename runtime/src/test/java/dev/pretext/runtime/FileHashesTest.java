package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is hashed once per process and hashed again when its size or modification time changes. */
class FileHashesTest {

  @TempDir Path dir;

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void aFileIsHashedOnceByPathSizeAndModificationTime() throws Exception {
    Path file = Files.write(dir.resolve("data.bin"), new byte[] {1, 2, 3, 4});
    FileTime modified = FileTime.fromMillis(1_700_000_000_000L);
    Files.setLastModifiedTime(file, modified);
    String first = FileHashes.of(file);
    assertThat(first).isEqualTo(sha256(new byte[] {1, 2, 3, 4}));

    // Same path, size and time: the hash computed before, not the bytes read again.
    Files.write(file, new byte[] {9, 9, 9, 9});
    Files.setLastModifiedTime(file, modified);
    assertThat(FileHashes.of(file)).isEqualTo(first);

    // A new modification time (a file rewritten in place) is hashed again.
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_001_000L));
    assertThat(FileHashes.of(file)).isEqualTo(sha256(new byte[] {9, 9, 9, 9}));
  }
}
