package dev.pretext.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A results folder held by the run writing into it: a shared lock on {@code .running.lock} for the
 * run's lifetime. Runs with {@code --resume} may share a folder; a fresh run moves an earlier
 * folder aside, which would pull it from under a run still writing there, so it first asks
 * {@link #inUse}.
 */
public final class ActiveRun implements AutoCloseable {

  static final String LOCK_FILE = ".running.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private ActiveRun(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Whether a run (of any process, this one included) is writing into {@code folder} now. */
  public static boolean inUse(Path folder) throws IOException {
    Path file = folder.resolve(LOCK_FILE);
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock exclusive = channel.tryLock();
      if (exclusive == null) {
        return true;
      }
      exclusive.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    }
  }

  /** Holds {@code folder} (created if missing) for a run until {@link #close}. */
  public static ActiveRun hold(Path folder) throws IOException {
    Files.createDirectories(folder);
    FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      return new ActiveRun(channel, channel.lock(0, Long.MAX_VALUE, true));
    } catch (OverlappingFileLockException e) {
      // This process already holds the folder (another run of it writes there): that lock covers both.
      return new ActiveRun(channel, null);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock != null) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }
}
