package dev.pretext.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.cli.PretextCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, as a user meets Pretext: the assembled distribution folder, its launcher, plugins
 * loaded from its plugins/ folder (they are kept off this test's classpath), suites run through the
 * command line.
 */
class DistributionIT {

  private static final Path DIST = Path.of(System.getProperty("pretext.distribution", "target/pretext"));

  private static final String TINY_SUITE = """
      suite {
        name = tiny
        data { source = embedded, train-limit = 600, test-limit = 200 }
        encoder { type = conv4, channels = [8, 16] }
        training { epochs = 1, batch-size = 32, max-steps = 8 }
        methods = [ { type = rotation, all-rotations = false } ]
        evaluation { calibration-batches = 2, label-fractions = [0.1], knn.k = 20,
                     linear-probe { epochs = 20, min-steps = 0, learning-rate = 0.01 } }
      }
      """;

  @TempDir Path dir;

  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void distributionIsAssembled() {
    assertThat(DIST.resolve("bin/pretext")).isExecutable();
  }

  /** Runs the CLI in this JVM with the given home, capturing its output. */
  static synchronized Result cli(Path home, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      List<String> all = new ArrayList<>(List.of("--home", home.toString()));
      all.addAll(List.of(args));
      int code = PretextCli.execute(all.toArray(String[]::new));
      return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void launcherListsPluginsLoadedFromTheDistributionsPluginsFolder() throws Exception {
    ProcessBuilder launcher = new ProcessBuilder(DIST.resolve("bin/pretext").toString(), "plugins")
        .redirectErrorStream(true);
    launcher.environment().put("PRETEXT_OPTS", "-XshowSettings:properties");
    launcher.environment().keySet().removeAll(List.of("PRETEXT_MAXRSS", "PRETEXT_HEAP", "PRETEXT_OFFHEAP"));
    Process p = launcher.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    // Its memory limits follow the machine's memory: a resident ceiling of half of it.
    long machineMb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElseThrow();
    if (!Files.isReadable(Path.of("/sys/fs/cgroup/memory.max"))
        || Files.readString(Path.of("/sys/fs/cgroup/memory.max")).strip().equals("max")) {
      assertThat(output).contains("org.bytedeco.javacpp.maxphysicalbytes = " + machineMb / 2 + "M")
          .contains("pretext.memory = " + machineMb + " MB (MemTotal)");
    }
    assertThat(output)
        .contains("rotation").contains("standard")
        .contains("conv4").contains("cross-entropy")
        .contains(DIST.resolve("plugins").resolve("rotation").toAbsolutePath().normalize().toString());
  }

  /** The runtime provides the API and the toolkit, one copy per process: no plugin folder bundles them. */
  @Test
  void libHoldsTheApiAndTheToolkitWhichNoPluginFolderBundles() throws IOException {
    try (Stream<Path> lib = Files.list(DIST.resolve("lib"))) {
      assertThat(lib.map(jar -> jar.getFileName().toString()).toList())
          .anyMatch(name -> name.startsWith("pretext-api-"))
          .anyMatch(name -> name.startsWith("pretext-toolkit-"));
    }
    try (Stream<Path> plugins = Files.walk(DIST.resolve("plugins"))) {
      assertThat(plugins.map(jar -> jar.getFileName().toString()).toList())
          .noneMatch(name -> name.startsWith("pretext-api-") || name.startsWith("pretext-toolkit-"));
    }
  }

  @Test
  void tinySuiteRunsThroughTheCliAndWritesResults() throws IOException {
    Path suite = dir.resolve("tiny.conf");
    Files.writeString(suite, TINY_SUITE);
    Path out = dir.resolve("results");
    Result r = cli(DIST, "run", suite.toString(), "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    // 800 images of 28 x 28 floats: the ceiling is the base and 8 x their 2 MB.
    assertThat(r.err()).contains("Memory: resident ceiling ")
        .contains(" MB for this run (2560 MB + 8 x 2 MB of decoded images, under JavaCPP's limit of ");

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.path("versions").path("dl4j").asText()).isEqualTo("1.0.0-M2.1");
    assertThat(json.path("config").path("suite").path("name").asText()).isEqualTo("tiny");
    List<String> names = new ArrayList<>();
    for (JsonNode entry : json.path("entries")) {
      names.add(entry.path("name").asText());
      assertThat(entry.path("status").asText()).isEqualTo("ok");
      assertThat(entry.path("seed").asLong()).isEqualTo(1);
      double top1 = entry.path("metrics").path("linear_probe").path("top1").asDouble();
      double top5 = entry.path("metrics").path("linear_probe").path("top5").asDouble();
      // Ten classes: chance is 0.1; anything trained on 600 images should clear 0.3.
      assertThat(top1).isBetween(0.3, 1.0);
      assertThat(top5).isGreaterThanOrEqualTo(top1);
    }
    assertThat(names).containsExactly("raw-pixels", "random-init", "rotation");
    JsonNode rotation = json.path("entries").get(2);
    assertThat(rotation.path("kind").asText()).isEqualTo("method");
    assertThat(rotation.path("pretrainingSeconds").asDouble()).isPositive();
    assertThat(out.resolve("results.md")).content().contains("| rotation | method |");
    assertThat(out.resolve("resolved.conf")).content().contains("batch-size");
  }

  @Test
  void everyShippedSuiteValidatesAndEveryQuickSuiteMethodRunsFromThePluginsFolder() throws IOException {
    List<Path> suites;
    try (Stream<Path> list = Files.list(DIST.resolve("suites"))) {
      suites = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertThat(suites).extracting(p -> p.getFileName().toString())
        .contains("demo.conf", "quick.conf", "standard.conf", "colour-photos.conf", "cifar10-reference.conf");
    for (Path suite : suites) {
      // Their datasets need not be installed here (CIFAR-10 never is by CI): the configuration only.
      Result r = cli(DIST, "validate", suite.toString(), "--no-data");
      assertThat(r.exitCode()).as(suite + ": " + r.err()).isZero();
    }
    for (String embedded : List.of("demo.conf", "quick.conf")) {
      Result r = cli(DIST, "validate", DIST.resolve("suites").resolve(embedded).toString());
      assertThat(r.exitCode()).as(embedded + ": " + r.err()).isZero();
      assertThat(r.out()).contains("data: suite.data: Fashion-MNIST embedded sample");
    }
    // The smoke suite, every method for two steps on a few images: each plugin's classes must
    // load through its own class loader (a class missing from a jar shows only here). Fine-tuning
    // from a probe head, two steps, so every method's encoder input is fine-tuned once too.
    Path out = dir.resolve("quick");
    Result r = cli(DIST, "run", DIST.resolve("suites/quick.conf").toString(), "--out", out.toString(),
        "--set", "suite.data.train-limit=300", "--set", "suite.data.test-limit=100",
        "--set", "suite.training.max-steps=2", "--set", "suite.training.batch-size=16",
        "--set", "suite.evaluation.calibration-batches=1", "--set", "suite.evaluation.knn.k=10",
        "--set", "suite.evaluation.label-fractions=[]",
        "--set", "suite.evaluation.linear-probe.epochs=1", "--set", "suite.evaluation.linear-probe.min-steps=0",
        "--set", "suite.evaluation.fine-tune.fractions=[0.1]", "--set", "suite.evaluation.fine-tune.epochs=1",
        "--set", "suite.evaluation.fine-tune.min-steps=2", "--set", "suite.evaluation.fine-tune.head=probe");
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    List<String> failed = new ArrayList<>();
    List<String> methods = new ArrayList<>();
    for (JsonNode entry : json.path("entries")) {
      if (entry.path("kind").asText().equals("method")) {
        methods.add(entry.path("name").asText());
        if (!entry.path("metrics").has("fine_tune_10pct")) {
          failed.add(entry.path("name").asText() + ": no fine-tuning result");
        }
      }
      if (!entry.path("status").asText().equals("ok")) {
        failed.add(entry.path("name").asText() + ": " + entry.path("reason").asText());
      }
    }
    assertThat(failed).as(r.err()).isEmpty();
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(methods).contains("rotation", "simclr", "moco", "byol", "cpc", "jigsaw",
        "denoising-autoencoder", "context-encoder");
  }

  @Test
  void withoutTheRotationJarASuiteNamingItFailsBeforeTraining() throws IOException {
    Path home = dir.resolve("home");
    copy(DIST.resolve("plugins"), home.resolve("plugins"));
    Files.walk(home.resolve("plugins/rotation")).sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    Path suite = dir.resolve("tiny.conf");
    Files.writeString(suite, TINY_SUITE);
    Result r = cli(home, "run", suite.toString(), "--out", dir.resolve("never").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown task 'rotation'").contains("Known tasks:")
        .contains("Nothing was trained");
    assertThat(dir.resolve("never")).doesNotExist();
  }

  @Test
  void misspelledKeyFailsBeforeTrainingNamingFileLineKeyAndSuggestion() throws IOException {
    Path suite = dir.resolve("typo.conf");
    Files.writeString(suite, TINY_SUITE.replace("training {", "trainng {"));
    Result r = cli(DIST, "validate", suite.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("typo.conf:5").contains("suite.trainng")
        .contains("did you mean 'training'?");
  }

  @Test
  void badInputFailsOnceWithAMessageNamingTheFileAndTheDocumentedCode() throws IOException {
    Path suite = Files.writeString(dir.resolve("tiny.conf"), TINY_SUITE);

    // --out naming a file: refused before the data loads, the file untouched.
    Path file = Files.writeString(dir.resolve("results.txt"), "mine");
    Result outIsFile = cli(DIST, "run", suite.toString(), "--out", file.toString());
    assertThat(outIsFile.exitCode()).as(outIsFile.err()).isEqualTo(2);
    assertThat(outIsFile.err()).contains("--out names " + file + ", which is a file").doesNotContain("data:")
        .doesNotContain("\tat ");
    assertThat(file).hasContent("mine");

    // A file missing from the folder suite.data.path names: no fallback to other data.
    Path data = Files.createDirectories(dir.resolve("my-fashion-mnist"));
    for (String name : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte")) {
      Files.writeString(data.resolve(name), "");
    }
    Path never = dir.resolve("never");
    Result missing = cli(DIST, "run", suite.toString(), "--out", never.toString(),
        "--set", "suite.data.source=full", "--set", "suite.data.path=\"" + data + "\"");
    assertThat(missing.exitCode()).as(missing.err()).isEqualTo(3);
    assertThat(missing.err()).contains("not found in " + data + " (suite.data.path)")
        .contains(data + " (suite.data.path): lacks t10k-labels-idx1-ubyte[.gz]");
    assertThat(never.resolve("results.json")).doesNotExist();

    // --resume on a results.json cut short: the file and what to do, nothing trained.
    Path cut = Files.createDirectories(dir.resolve("cut"));
    Files.writeString(cut.resolve("results.json"), "{\"suite\": \"tiny\", \"entries\": [");
    Result resume = cli(DIST, "run", suite.toString(), "--out", cut.toString(), "--resume");
    assertThat(resume.exitCode()).as(resume.err()).isEqualTo(2);
    assertThat(resume.err()).contains(cut.resolve("results.json") + ": cannot be read back")
        .contains("run without --resume").contains("Nothing was trained").doesNotContain("internal error");

    // export-encoder on a run folder that is not there.
    Result export = cli(DIST, "export-encoder", dir.resolve("runs/nope").toString(), "--method", "rotation",
        "--out", dir.resolve("rotation.zip").toString());
    assertThat(export.exitCode()).isEqualTo(2);
    assertThat(export.err()).contains("no such run folder: " + dir.resolve("runs/nope"));
  }

  @Test
  void describePrintsDefaultsWithComments() {
    Result r = cli(DIST, "describe", "conv4");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("encoder 'conv4' from plugin standard")
        .contains("channels").contains("# Output channels");
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
