package dev.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark runner end to end, through the launcher of the assembled distribution with the add-on
 * ({@code PRETEXT_SPARK_HOME}): a tiny suite with a 2-point sweep run locally, on {@code local[2]},
 * resumed on {@code local[2]}, and on a standalone cluster of one master and two workers (each its
 * own JVM, started from the add-on's Spark jars) one of which is killed mid-run. Every Spark run's
 * entries must equal the local run's, wall-clock fields aside.
 */
class SparkRunnerIT {

  private static final Path DISTRIBUTION = Path.of(System.getProperty("pretext.distribution"));
  private static final Path ADD_ON = Path.of(System.getProperty("pretext.spark.add-on"));
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What two runs of the same entry may differ in: how long it took. */
  private static final Set<String> WALL_CLOCK = Set.of("pretrainingSeconds", "imagesPerSecond", "evaluationSeconds");
  private static final String SUITE = """
      suite {
        name = tiny
        seeds = [1]
        threads = 1
        data { dataset = fashion-mnist, source = embedded, train-limit = 200, test-limit = 100 }
        encoder { type = conv4, channels = [4, 8] }
        training { epochs = 1, batch-size = 50 }
        methods = [ { type = simclr } ]
        baselines = [random-init]
        sweep { "simclr.loss.temperature" = [0.2, 0.5] }
        evaluation { label-fractions = [], knn.k = 5,
                     linear-probe { l2-candidates = [0.001, 0.1], min-validation-images = 10 } }
      }
      """;
  private static final List<String> ENTRIES =
      List.of("random-init", "simclr[temperature=0.2]", "simclr[temperature=0.5]");

  @TempDir static Path shared;
  private static Path suite;
  private static Map<String, JsonNode> local;
  private static List<String> localFiles;

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void runLocally() throws Exception {
    suite = shared.resolve("tiny.conf");
    Files.writeString(suite, SUITE);
    Path out = shared.resolve("local");
    Run run = pretext(shared, "local", "run", suite.toString(), "--out", out.toString());
    assertThat(run.exit).as(run.output).isZero();
    local = entries(out);
    localFiles = entryFiles(out);
    assertThat(local.keySet()).containsExactlyInAnyOrderElementsOf(ENTRIES);
  }

  @AfterEach
  void stopCluster() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void localTwoRunsEveryEntryAsTheLocalRunDoesAndResumeRunsOnlyWhatIsMissing() throws Exception {
    Path out = dir.resolve("spark");
    Run run = pretext(dir, "spark", "run", suite.toString(), "--spark", "local[2]", "--out", out.toString());
    assertThat(run.exit).as(run.output).isZero();
    assertThat(run.output).contains("Spark: local[2], 3 units");
    assertSameAsLocal(out);
    assertThat(Files.readString(out.resolve("results.md"))).contains("## Sweep: simclr (best on validation)");
    assertThat(Files.readString(out.resolve("report.html"))).contains("simclr[temperature=0.5]");

    // An interrupted run: one entry and its files missing. --resume plans only that one.
    Map<String, JsonNode> before = entries(out);
    dropEntry(out, "simclr[temperature=0.5]");
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("simclr_temperature-0.5-seed1")).toList()) {
        Files.delete(f);
      }
    }
    Run resumed = pretext(dir, "resumed", "run", suite.toString(), "--spark", "local[2]", "--out",
        out.toString(), "--resume");
    assertThat(resumed.exit).as(resumed.output).isZero();
    assertThat(resumed.output).contains("Spark: local[2], 1 units")
        .contains("== simclr[temperature=0.5] (seed 1) finished")
        .doesNotContain("== random-init (seed 1) finished").doesNotContain("== simclr[temperature=0.2] (seed 1) finished");
    Map<String, JsonNode> after = entries(out);
    // The finished entries stay as they were, to the wall-clock seconds.
    assertThat(after.get("random-init")).isEqualTo(before.get("random-init"));
    assertThat(after.get("simclr[temperature=0.2]")).isEqualTo(before.get("simclr[temperature=0.2]"));
    assertSameAsLocal(out);
  }

  @Test
  void aStandaloneClusterFinishesEveryEntryWhenAWorkerIsKilledMidRun() throws Exception {
    Path sparkHome = dir.resolve("spark-home");
    Files.createDirectories(sparkHome);
    // A worker builds its executors' command line from SPARK_HOME/jars: the add-on's Spark jars.
    Files.createSymbolicLink(sparkHome.resolve("jars"), ADD_ON.resolve("jars"));
    int port = freePort();
    Process master = spark(sparkHome, dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort()));
    List<Process> workers = new ArrayList<>();
    for (int w = 1; w <= 2; w++) {
      Path work = Files.createDirectories(dir.resolve("worker" + w));
      workers.add(spark(sparkHome, dir.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
          "--host", "127.0.0.1", "--cores", "1", "--memory", "1600m", "--work-dir", work.toString(),
          "--webui-port", String.valueOf(freePort()), "spark://127.0.0.1:" + port));
    }
    await(Duration.ofMinutes(2), "both workers registered", () -> count(dir.resolve("master.log"), "Registering worker") >= 2);

    Path out = dir.resolve("cluster");
    Process driver = start(dir, dir.resolve("driver.log"), Map.of("PRETEXT_OPTS",
        "-Dspark.executor.memory=1g -Dspark.ui.enabled=false"), launcher(), "run", suite.toString(), "--spark",
        "spark://127.0.0.1:" + port, "--out", out.toString());
    // Kill the worker whose executor is running a method, while it runs.
    int[] victim = {-1};
    await(Duration.ofMinutes(3), "a method running on a worker", () -> {
      for (int w = 1; w <= 2 && victim[0] < 0; w++) {
        if (grep(dir.resolve("worker" + w), "== simclr[")) {
          victim[0] = w;
        }
      }
      return victim[0] > 0;
    });
    Process killed = workers.get(victim[0] - 1);
    killed.destroyForcibly().waitFor();
    assertThat(driver.waitFor(6, TimeUnit.MINUTES)).as("the driver finished").isTrue();
    String said = Files.readString(dir.resolve("driver.log"));
    assertThat(driver.exitValue()).as(said).isZero();
    assertThat(said).contains("Lost executor");
    // Executors loaded the plugins the job shipped, unpacked in their own folders, not the driver's.
    for (int w = 1; w <= 2; w++) {
      if (grep(dir.resolve("worker" + w), "== ")) {
        assertThat(grep(dir.resolve("worker" + w), "plugins from " + dir.resolve("worker" + w))).as("worker " + w)
            .isTrue();
      }
    }
    assertSameAsLocal(out);
    assertThat(master.isAlive()).isTrue();
  }

  /** Every entry of the local run, equal to it but for wall-clock seconds; the same entry files. */
  private static void assertSameAsLocal(Path out) throws IOException {
    Map<String, JsonNode> entries = entries(out);
    assertThat(entries.keySet()).containsExactlyInAnyOrderElementsOf(ENTRIES);
    for (String name : ENTRIES) {
      assertThat(withoutWallClock(entries.get(name))).as(name).isEqualTo(withoutWallClock(local.get(name)));
    }
    assertThat(entryFiles(out)).isEqualTo(localFiles);
  }

  private static JsonNode withoutWallClock(JsonNode entry) {
    ObjectNode copy = entry.deepCopy();
    WALL_CLOCK.forEach(copy::remove);
    return copy;
  }

  private static Map<String, JsonNode> entries(Path out) throws IOException {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode e : JSON.readTree(out.resolve("results.json").toFile()).path("entries")) {
      assertThat(e.path("seed").asLong()).isEqualTo(1);
      assertThat(e.path("status").asText()).as(e.path("name").asText() + ": " + e.path("reason")).isEqualTo("ok");
      byName.put(e.path("name").asText(), e);
    }
    return byName;
  }

  /** The entries' own files (kept encoders, per-entry figures, visuals), relative to the run folder. */
  private static List<String> entryFiles(Path out) throws IOException {
    try (Stream<Path> walk = Files.walk(out)) {
      return walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString())
          .filter(p -> p.startsWith("encoders/") || p.startsWith("visuals/")
              || p.startsWith("figures/") && p.contains("-seed1"))
          .sorted().toList();
    }
  }

  private static void dropEntry(Path out, String name) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(out.resolve("results.json").toFile());
    ArrayNode entries = (ArrayNode) root.get("entries");
    for (Iterator<JsonNode> it = entries.iterator(); it.hasNext(); ) {
      if (it.next().path("name").asText().equals(name)) {
        it.remove();
      }
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), root);
  }

  private record Run(int exit, String output) {}

  private static Run pretext(Path dir, String name, String... args) throws Exception {
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(launcher()));
    command.addAll(List.of(args));
    Process p = start(dir, log, Map.of(), command.toArray(String[]::new));
    assertThat(p.waitFor(8, TimeUnit.MINUTES)).as(name + " finished").isTrue();
    return new Run(p.exitValue(), Files.readString(log));
  }

  private static String launcher() {
    return DISTRIBUTION.resolve("bin/pretext").toString();
  }

  /** A process of the launcher or of Spark, its output in {@code log}, with the environment a test needs. */
  private static Process start(Path dir, Path log, Map<String, String> env, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    // The suite's threads = 1 decides, as on executors; small heaps beside the build.
    environment.remove("PRETEXT_THREADS");
    environment.remove("OMP_NUM_THREADS");
    environment.put("PRETEXT_HEAP", "1g");
    environment.put("PRETEXT_SPARK_HOME", ADD_ON.toString());
    environment.put("SPARK_LOCAL_IP", "127.0.0.1");
    environment.putAll(env);
    return builder.start();
  }

  private Process spark(Path sparkHome, Path log, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dspark.worker.timeout=20", "-cp", ADD_ON.resolve("jars") + "/*"));
    command.addAll(SparkModuleOptions.OPENS);
    command.add(main);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.12");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().remove("PRETEXT_THREADS");
    Process p = builder.start();
    started.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static long count(Path log, String text) throws IOException {
    return Files.exists(log) ? Files.readString(log).split(java.util.regex.Pattern.quote(text), -1).length - 1 : 0;
  }

  /** Whether any file under {@code folder} (executors' stderr) holds {@code text}. */
  private static boolean grep(Path folder, String text) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path f : walk.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        if (new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  private interface Check {
    boolean holds() throws IOException;
  }

  private static void await(Duration limit, String what, Check check) throws Exception {
    Instant end = Instant.now().plus(limit);
    while (!check.holds()) {
      assertThat(Instant.now()).as("waited " + limit + " for " + what).isBefore(end);
      Thread.sleep(500);
    }
  }
}
