package dev.pretext.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Speed beside other work: each workload ({@link ContentionWorkload}) runs in a fresh JVM on a quiet
 * machine, beside one busy single-threaded process and beside two (processes this program starts
 * and stops), interleaved round by round. Each run reports its wall time and its own CPU time; the
 * <em>proportional</em> time of a busy run is the quiet wall time scaled by the CPU share the run
 * actually got ({@code quiet wall × quiet share / busy share}, share = CPU seconds per wall second),
 * so a run slowed exactly in proportion to the CPU it lost reads 1.0, and threads that wait on a
 * descheduled peer read above it.
 *
 * <pre>
 * java -cp "benchmarks-suite/target/lib/*:benchmarks-suite/target/classes" \
 *     dev.pretext.benchmarks.ContentionBenchmark --rounds 2 --out contention.json
 * </pre>
 */
@Command(name = "contention", mixinStandardHelpOptions = true,
    description = "Measure the slowdown of evaluation and training beside busy processes; writes JSON.")
public final class ContentionBenchmark implements Callable<Integer> {

  @Option(names = "--workloads", split = ",", defaultValue = "evaluate-raw-pixels,evaluate-encoder,train-epoch",
      description = "Workloads (ContentionWorkload): ${DEFAULT-VALUE}.")
  List<String> workloads;

  @Option(names = "--busy", split = ",", defaultValue = "0,1,2",
      description = "Busy single-threaded processes beside the run, per condition: ${DEFAULT-VALUE}.")
  List<Integer> busyCounts;

  @Option(names = "--rounds", defaultValue = "2", description = "Rounds; medians are reported.") int rounds;

  @Option(names = "--env", split = ",", description = "KEY=VALUE added to every measured run's environment "
      + "(e.g. OMP_NUM_THREADS=1, PRETEXT_THREADS=2).") List<String> env = List.of();

  @Option(names = "--out", defaultValue = "contention.json") Path out;

  /** One measured run. */
  record Run(String workload, int busy, int round, double wallSeconds, double cpuSeconds, int threads) {
    double share() {
      return cpuSeconds / wallSeconds;
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<Run> runs = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      for (int busy : busyCounts) {
        for (String workload : workloads) {
          Run run = measure(workload, busy, round);
          runs.add(run);
          System.out.printf(Locale.ROOT, "round %d, %d busy, %-20s wall %7.1f s, cpu %7.1f s, share %.2f cores, "
              + "%d threads%n", round, busy, workload, run.wallSeconds(), run.cpuSeconds(), run.share(), run.threads());
        }
      }
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("env", env);
    report.put("runs", runs);
    List<Map<String, Object>> summary = new ArrayList<>();
    System.out.println();
    System.out.println("workload              busy  wall (median)  slowdown  share  proportional  slowdown / proportional");
    for (String workload : workloads) {
      Run quiet = median(runs, workload, 0);
      for (int busy : busyCounts) {
        Run m = median(runs, workload, busy);
        double proportional = quiet.wallSeconds() * quiet.share() / m.share();
        double figure = m.wallSeconds() / proportional;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("workload", workload);
        s.put("busy", busy);
        s.put("wall_seconds", m.wallSeconds());
        s.put("cpu_share", m.share());
        s.put("threads", m.threads());
        s.put("slowdown", m.wallSeconds() / quiet.wallSeconds());
        s.put("proportional_seconds", proportional);
        s.put("slowdown_over_proportional", figure);
        summary.add(s);
        System.out.printf(Locale.ROOT, "%-20s %5d %12.1f s %8.2f %6.2f %11.1f s %10.2f%n", workload, busy,
            m.wallSeconds(), m.wallSeconds() / quiet.wallSeconds(), m.share(), proportional, figure);
      }
    }
    report.put("summary", summary);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written: " + out.toAbsolutePath());
    return 0;
  }

  /** The run with the median wall time of one workload and condition. */
  private static Run median(List<Run> runs, String workload, int busy) {
    Run[] matching = runs.stream().filter(r -> r.workload().equals(workload) && r.busy() == busy)
        .sorted((a, b) -> Double.compare(a.wallSeconds(), b.wallSeconds())).toArray(Run[]::new);
    if (matching.length == 0) {
      throw new IllegalStateException("no runs of " + workload + " beside " + busy + " busy processes");
    }
    return matching[matching.length / 2];
  }

  private Run measure(String workload, int busy, int round) throws IOException, InterruptedException {
    List<Process> spinners = new ArrayList<>();
    try {
      for (int i = 0; i < busy; i++) {
        // A busy single-threaded process, as a user's other program would be.
        spinners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      }
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx4g", "-cp", System.getProperty("java.class.path")));
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(a -> a.startsWith("-Dorg.bytedeco") || a.startsWith("-Dpretext")).toList());
      command.addAll(List.of(ContentionWorkload.class.getName(), workload));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      Map<String, String> environment = builder.environment();
      // The launcher's malloc settings (bin/pretext), unless given.
      environment.putIfAbsent("MALLOC_ARENA_MAX", "1");
      environment.putIfAbsent("MALLOC_MMAP_MAX_", "0");
      environment.putIfAbsent("MALLOC_TRIM_THRESHOLD_", "68719476736");
      for (String pair : env) {
        String[] kv = pair.split("=", 2);
        environment.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
      Process child = builder.start();
      String result = null;
      List<String> output = new ArrayList<>();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          output.add(line);
          if (line.startsWith(ContentionWorkload.RESULT)) {
            result = line.substring(ContentionWorkload.RESULT.length()).trim();
          }
        }
      }
      int exit = child.waitFor();
      if (exit != 0 || result == null) {
        throw new IllegalStateException("workload " + workload + " failed (exit " + exit + "):\n"
            + String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size())));
      }
      double[] values = Arrays.stream(result.split(" ")).mapToDouble(Double::parseDouble).toArray();
      return new Run(workload, busy, round, values[0], values[1], (int) values[2]);
    } finally {
      for (Process spinner : spinners) {
        spinner.destroyForcibly().waitFor();
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ContentionBenchmark()).execute(args));
  }
}
