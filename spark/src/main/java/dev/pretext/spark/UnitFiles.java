package dev.pretext.spark;

import dev.pretext.runtime.report.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files one entry leaves in a run folder — its kept encoder ({@code encoders/STEM.*}), figures
 * ({@code figures/STEM-*.png}) and visuals ({@code visuals/STEM/}) — carried from an executor's
 * task folder into the driver's run folder. Results, report and the summary figures are not: the
 * driver writes those when it records the entry.
 */
final class UnitFiles {

  private UnitFiles() {}

  /** Every file of the entry whose file stem is {@code stem} ({@code dev.pretext.runtime.report.EntryFiles}), by relative path. */
  static LinkedHashMap<String, byte[]> collect(Path folder, String stem) throws IOException {
    LinkedHashMap<String, byte[]> files = new LinkedHashMap<>();
    for (String area : List.of("encoders", "figures", "visuals")) {
      Path dir = folder.resolve(area);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
          Path relative = folder.relativize(file);
          if (ofEntry(relative.getName(1).toString(), stem) && !file.getFileName().toString().endsWith(".tmp")) {
            files.put(relative.toString().replace('\\', '/'), Files.readAllBytes(file));
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return files;
  }

  /** Whether a name under encoders/, figures/ or visuals/ belongs to the entry: {@code STEM}, {@code STEM.x}, {@code STEM-x}. */
  static boolean ofEntry(String name, String stem) {
    return name.equals(stem) || name.startsWith(stem + ".") || name.startsWith(stem + "-");
  }

  /** Writes {@code files} into {@code folder}, each replaced atomically. */
  static void write(Path folder, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = folder.resolve(f.getKey()).normalize();
      if (!target.startsWith(folder.normalize())) {
        throw new IOException("an executor returned a file outside the run folder: " + f.getKey());
      }
      byte[] bytes = f.getValue();
      AtomicFiles.write(target, tmp -> Files.write(tmp, bytes));
    }
  }
}
