package dev.pretext.runtime.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.report.WriteFailedException;
import dev.pretext.toolkit.graph.TrainableOps;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A method's end-of-epoch checkpoint: the graph with its updater state, the task's own state, the
 * state of each sampler the task created ({@code samplers/<key>.bin}, key = the sampler's config
 * path under the task's, e.g. {@code sampler}) and the progress so far. Written into a temporary
 * folder and swapped in, so a crash never leaves a half-written checkpoint.
 */
public final class Checkpoints {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SAMPLERS = "samplers";

  /** Progress of a method's training at the end of an epoch. */
  record Progress(
      int epochsDone, long steps, double seconds, List<Double> epochLosses, List<Double> stepLosses) {}

  private final Path folder;

  Checkpoints(Path folder) {
    this.folder = folder;
  }

  /**
   * Writes the checkpoint.
   *
   * @throws WriteFailedException naming the checkpoint folder and the cause (disk full, permission)
   */
  void save(SameDiff graph, PretextTask task, Progress progress) throws IOException {
    Path tmp = folder.resolveSibling(folder.getFileName() + ".tmp");
    Path old = folder.resolveSibling(folder.getFileName() + ".old");
    try {
      deleteRecursively(tmp);
      Files.createDirectories(tmp);
      graph.save(tmp.resolve("graph.fb").toFile(), true);
      saveTaskState(task, tmp);
      JSON.writeValue(tmp.resolve("progress.json").toFile(), progress);
      deleteRecursively(old);
      if (Files.exists(folder)) {
        Files.move(folder, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
      deleteRecursively(old);
    } catch (IOException | UncheckedIOException e) {
      // SameDiff wraps the IOException of a full disk in an unchecked one.
      throw new WriteFailedException(folder, e instanceof UncheckedIOException u ? u.getCause() : e);
    }
  }

  /** The last complete checkpoint's progress, if any. */
  Optional<Progress> progress() throws IOException {
    Path dir = complete();
    if (dir == null) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(dir.resolve("progress.json").toFile(), Progress.class));
  }

  SameDiff loadGraph() {
    // The restored graph is trained on: its batch-norm ops must come back as the trainable class.
    TrainableOps.register();
    return SameDiff.load(complete().resolve("graph.fb").toFile(), true);
  }

  void loadTaskState(PretextTask task) throws IOException {
    loadTaskState(task, complete());
  }

  /**
   * Writes what a checkpoint keeps of {@code task} outside the graph into {@code folder}: the
   * task's own state in {@code task/}, each sampler's in {@code samplers/<key>.bin}. Public for the
   * testkit, whose conformance round-trips a task's state through it.
   */
  public static void saveTaskState(PretextTask task, Path folder) throws IOException {
    Files.createDirectories(folder.resolve("task"));
    task.saveState(folder.resolve("task"));
    saveSamplers(task, folder.resolve(SAMPLERS));
  }

  /** Restores into {@code task} (created from the same settings) what {@link #saveTaskState} wrote. */
  public static void loadTaskState(PretextTask task, Path folder) throws IOException {
    task.loadState(folder.resolve("task"));
    Path samplers = folder.resolve(SAMPLERS);
    for (Components.TaskSampler s : Components.samplersOf(task)) {
      Path file = samplers.resolve(s.key() + ".bin");
      if (!Files.exists(file)) {
        throw new IOException("the checkpoint " + folder + " holds no state of the sampler at "
            + s.path() + " (" + file.getFileName() + ")");
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
        s.sampler().loadState(in);
      } catch (IOException e) {
        throw new IOException("restoring the sampler at " + s.path() + " from " + file + ": " + e.getMessage(), e);
      }
    }
  }

  private static void saveSamplers(PretextTask task, Path folder) throws IOException {
    Files.createDirectories(folder);
    for (Components.TaskSampler s : Components.samplersOf(task)) {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(folder.resolve(s.key() + ".bin")))) {
        s.sampler().saveState(out);
      }
    }
  }

  void delete() throws IOException {
    deleteRecursively(folder);
  }

  private Path complete() {
    if (Files.exists(folder.resolve("progress.json"))) {
      return folder;
    }
    // A crash between the two moves of save() leaves the previous checkpoint here.
    Path old = folder.resolveSibling(folder.getFileName() + ".old");
    return Files.exists(old.resolve("progress.json")) ? old : null;
  }

  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
