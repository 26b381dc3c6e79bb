package dev.pretext.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Peak resident memory of a whole run: starts a command (by default the distribution's launcher
 * with the given arguments), reads the kernel's high-water mark of its resident set ({@code VmHWM}
 * in {@code /proc/PID/status}) until it exits, and reports it with the wall time and exit code.
 * The launcher {@code exec}s the JVM, so the process measured is the run itself. Linux only.
 *
 * <pre>
 * java -cp ... dev.pretext.benchmarks.MemoryBenchmark --out demo-memory.json -- run benchmarks-suite/suites/demo.conf --out /tmp/m
 * </pre>
 */
@Command(name = "memory-benchmark", mixinStandardHelpOptions = true,
    description = "Peak resident memory (VmHWM) and wall time of one run.")
public final class MemoryBenchmark implements Callable<Integer> {

  @Option(names = "--launcher", defaultValue = "distribution/target/pretext/bin/pretext",
      description = "Program to start; the arguments follow '--'.")
  String launcher;

  @Option(names = "--interval-ms", defaultValue = "200", description = "How often the high-water mark is read.")
  long intervalMillis;

  @Option(names = "--out", description = "JSON file for the result.")
  Path out;

  @Parameters(description = "Arguments of the launcher, e.g. run SUITE.conf --out DIR.")
  List<String> arguments = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new MemoryBenchmark()).execute(args));
  }

  /** What one measured run gave. */
  record Measurement(List<String> command, double wallSeconds, long peakResidentBytes, int exitCode) {}

  @Override
  public Integer call() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(launcher);
    command.addAll(arguments);
    Measurement m = measure(command, intervalMillis);
    System.out.printf(Locale.ROOT, "%s: peak RSS %.0f MB, %.1f s, exit %d%n", String.join(" ", command),
        m.peakResidentBytes() / 1048576.0, m.wallSeconds(), m.exitCode());
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", m.command());
      json.put("wall_seconds", m.wallSeconds());
      json.put("peak_rss_mb", m.peakResidentBytes() / 1048576.0);
      json.put("exit_code", m.exitCode());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
    }
    return m.exitCode();
  }

  /** Runs {@code command} (output passed through) and follows its resident high-water mark. */
  static Measurement measure(List<String> command, long intervalMillis) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).inheritIO().start();
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    long peak = 0;
    while (process.isAlive()) {
      peak = Math.max(peak, highWaterMark(status));
      process.waitFor(intervalMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    int code = process.waitFor();
    return new Measurement(List.copyOf(command), (System.nanoTime() - start) / 1e9, peak, code);
  }

  /** {@code VmHWM} in bytes, or 0 once the process is gone (its last reading already counted). */
  static long highWaterMark(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // Exited between the liveness check and the read.
    }
    return 0;
  }
}
