package dev.pretext.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Peak resident memory of a whole run: starts a command (by default the distribution's launcher
 * with the given arguments), reads the kernel's high-water mark of its resident set ({@code VmHWM}
 * in {@code /proc/PID/status}) until it exits, and reports it with the wall time and exit code,
 * against the resident ceiling the run chose from its data size (its log's {@code Memory:} line).
 * The launcher {@code exec}s the JVM, so the process measured is the run itself. Linux only. Exits
 * with the run's exit code, or 1 when the run succeeded but its peak passed its ceiling.
 *
 * <pre>
 * java -cp ... dev.pretext.benchmarks.MemoryBenchmark --out demo-memory.json -- run benchmarks-suite/suites/demo.conf --out /tmp/m
 * </pre>
 */
@Command(name = "memory-benchmark", mixinStandardHelpOptions = true,
    description = "Peak resident memory (VmHWM) and wall time of one run.")
public final class MemoryBenchmark implements Callable<Integer> {

  /** The run's ceiling as its log states it: {@code Memory: resident ceiling 2727 MB for this run …}. */
  private static final Pattern CEILING = Pattern.compile("^Memory: resident ceiling (\\d+) MB for this run");

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

  /**
   * What one measured run gave.
   *
   * @param ceilingBytes the resident ceiling the run printed, or null when it printed none
   */
  record Measurement(List<String> command, double wallSeconds, long peakResidentBytes, int exitCode,
      Long ceilingBytes) {

    /** Whether the peak stayed under the run's ceiling; null without one. */
    Boolean withinCeiling() {
      return ceilingBytes == null ? null : peakResidentBytes <= ceilingBytes;
    }
  }

  @Override
  public Integer call() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(launcher);
    command.addAll(arguments);
    Measurement m = measure(command, intervalMillis);
    String ceiling = m.ceilingBytes() == null ? "no ceiling printed"
        : String.format(Locale.ROOT, "ceiling %d MB: %s", m.ceilingBytes() >> 20,
            m.withinCeiling() ? "within" : "ABOVE");
    System.out.printf(Locale.ROOT, "%s: peak RSS %.0f MB (%s), %.1f s, exit %d%n", String.join(" ", command),
        m.peakResidentBytes() / 1048576.0, ceiling, m.wallSeconds(), m.exitCode());
    if (out != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", m.command());
      json.put("wall_seconds", m.wallSeconds());
      json.put("peak_rss_mb", m.peakResidentBytes() / 1048576.0);
      json.put("ceiling_mb", m.ceilingBytes() == null ? null : m.ceilingBytes() >> 20);
      json.put("within_ceiling", m.withinCeiling());
      json.put("exit_code", m.exitCode());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
    }
    return m.exitCode() == 0 && Boolean.FALSE.equals(m.withinCeiling()) ? 1 : m.exitCode();
  }

  /**
   * Runs {@code command} (its output passed through) and follows its resident high-water mark and
   * the ceiling its log states.
   */
  static Measurement measure(List<String> command, long intervalMillis) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    AtomicReference<Long> ceiling = new AtomicReference<>();
    Thread log = new Thread(() -> passThrough(process.getErrorStream(), ceiling), "run log");
    log.start();
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    long peak = 0;
    while (process.isAlive()) {
      peak = Math.max(peak, highWaterMark(status));
      process.waitFor(intervalMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    int code = process.waitFor();
    log.join();
    return new Measurement(List.copyOf(command), (System.nanoTime() - start) / 1e9, peak, code, ceiling.get());
  }

  /**
   * Copies the run's log (stderr) to ours byte for byte (its progress bars redraw with carriage
   * returns), noting the ceiling its Memory line states.
   */
  private static void passThrough(InputStream err, AtomicReference<Long> ceiling) {
    StringBuilder line = new StringBuilder();
    byte[] buffer = new byte[8192];
    try (err) {
      for (int n = err.read(buffer); n >= 0; n = err.read(buffer)) {
        System.err.write(buffer, 0, n);
        System.err.flush();
        for (int i = 0; i < n; i++) {
          char c = (char) (buffer[i] & 0xff);
          if (c == '\n' || c == '\r') {
            Matcher m = CEILING.matcher(line);
            if (m.find()) {
              ceiling.set(Long.parseLong(m.group(1)) << 20);
            }
            line.setLength(0);
          } else {
            line.append(c);
          }
        }
      }
    } catch (IOException e) {
      // The run's stderr closed under us: it has exited.
    }
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
