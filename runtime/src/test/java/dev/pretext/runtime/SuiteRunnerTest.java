package dev.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteRunnerTest {

  @TempDir Path dir;

  @Test
  void failedMethodIsRecordedOthersContinueAndSupervisedBeatsRandomInit() throws Exception {
    Path file = dir.resolve("suite.conf");
    Files.writeString(file, """
        suite {
          name = runner
          data { train-limit = 1000, test-limit = 300 }
          encoder { type = tiny, width = 32 }
          training { epochs = 3, batch-size = 50, learning-rate = 0.01 }
          methods = [
            { type = brightness, name = diverges, explode-at-step = 5 }
            { type = brightness, name = fine }
            { type = brightness, name = broken, missing-class = true }
          ]
          baselines = [random-init, supervised]
          evaluation { calibration-batches = 2, label-fractions = [0.1], knn.k = 20,
                       linear-probe { epochs = 10, min-steps = 200 },
                       fine-tune { fractions = [0.1], epochs = 1, min-steps = 20, batch-size = 50 } }
        }
        """);
    var registry = FakePlugins.registry();
    Suite suite = new SuiteLoader(registry).load(file, List.of());
    Path out = dir.resolve("out");
    SuiteRunner.Outcome outcome = new SuiteRunner(registry, new TrainingEngine()).run(suite, out, Set.of(), false);

    Map<String, ResultEntry> byName = outcome.entries().stream()
        .collect(Collectors.toMap(ResultEntry::name, e -> e));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("random-init", "supervised", "diverges", "fine", "broken");
    assertThat(byName.get("diverges").status()).isEqualTo("failed");
    assertThat(byName.get("diverges").reason()).contains("NaN").contains("step 5");
    // A plugin missing a class fails its own method; the run goes on.
    assertThat(byName.get("broken").status()).isEqualTo("failed");
    assertThat(byName.get("broken").reason()).contains("broken").contains("NoClassDefFoundError");
    // Fine-tuning runs for methods and for random-init (training from scratch on the same labels).
    assertThat(byName.get("fine").metrics()).containsKey("fine_tune_10pct");
    assertThat(byName.get("random-init").metrics().get("fine_tune_10pct").get("top1")).isGreaterThan(0.3);
    assertThat(byName.get("fine").ok()).isTrue();
    assertThat(outcome.anyFailed()).isTrue();

    double supervised = byName.get("supervised").metrics().get("linear_probe").get("top1");
    double random = byName.get("random-init").metrics().get("linear_probe").get("top1");
    assertThat(supervised).isGreaterThan(random);
    assertThat(byName.get("fine").metrics()).containsKeys("linear_probe", "linear_probe_10pct", "knn");

    for (String f : List.of("results.json", "results.md", "results.csv", "resolved.conf", "report.html",
        "figures/linear-probe.png", "figures/fine-seed1-neighbours.png", "figures/fine-seed1-pca.png")) {
      assertThat(out.resolve(f)).as(f).isNotEmptyFile();
    }
    // The finished method's checkpoint is gone; the failed one's stays for inspection or --resume.
    assertThat(out.resolve("work/fine-seed1")).doesNotExist();

    // The encoder alone, exported, embeds images exactly as the trained method's graph does.
    Path zip = EncoderExport.export(out, "fine", null, dir.resolve("fine.zip"), registry);
    PretrainedEncoder encoder = PretrainedEncoder.load(zip);
    var images = dev.pretext.runtime.data.FashionMnist.load(dev.pretext.runtime.data.FashionMnist.Source.EMBEDDED, null)
        .test().batch(new int[] {0, 1, 2, 3, 4});
    var kept = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("encoders/fine-seed1.json").toFile());
    var graph = org.nd4j.autodiff.samediff.SameDiff.load(out.resolve("encoders/fine-seed1.fb").toFile(), false);
    graph.getVariable(dev.pretext.api.graph.GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    String rep = kept.path("representation").asText();
    // The brightness task's encoder reads its "images" placeholder as they are.
    var expected = graph.output(Map.of("images", images), rep).get(rep);
    var actual = encoder.embed(images);
    assertThat(actual.shape()).containsExactly(5, 32);
    assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
    var second = encoder.embed(images);
    assertThat(second.sub(actual).amaxNumber().doubleValue()).isLessThan(1e-6);
    assertThat(actual.amaxNumber().doubleValue()).isPositive();

    // A description kept before tasks were recorded in it: the task comes from results.json.
    Path meta = out.resolve("encoders/fine-seed1.json");
    var legacy = (com.fasterxml.jackson.databind.node.ObjectNode) kept;
    legacy.remove(List.of("task_type", "task_settings"));
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    mapper.writeValue(meta.toFile(), legacy);
    var fromResults = PretrainedEncoder.load(
        EncoderExport.export(out, "fine", null, dir.resolve("legacy.zip"), registry)).embed(images);
    assertThat(fromResults.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
    // ... and without it there, the error names both files and what to do.
    Files.move(out.resolve("results.json"), dir.resolve("results-aside.json"));
    assertThatThrownBy(() -> EncoderExport.export(out, "fine", null, dir.resolve("legacy2.zip"), registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(meta.toString()).hasMessageContaining("results.json").hasMessageContaining("re-run");
  }

  @Test
  void aBatchLargerThanTheTrainingSetIsSaidOnceAndRecordedAsUsedAndNoCheckpointStaysBehind() throws Exception {
    Path file = dir.resolve("small.conf");
    Files.writeString(file, """
        suite {
          name = small
          data { train-limit = 40, test-limit = 50 }
          encoder { type = tiny, width = 8 }
          training { epochs = 2, batch-size = 64 }
          methods = [ { type = brightness, name = a }, { type = brightness, name = b, training.batch-size = 20 } ]
          baselines = [random-init, supervised]
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5,
                       fine-tune { fractions = [0.5], epochs = 1, min-steps = 2 } }
        }
        """);
    var registry = FakePlugins.registry();
    Suite suite = new SuiteLoader(registry).load(file, List.of());
    Path out = dir.resolve("small");
    var log = new java.io.ByteArrayOutputStream();
    var printed = new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8);
    Map<String, ResultEntry> byName = byName(new SuiteRunner(registry, new TrainingEngine(), printed)
        .run(suite, out, Set.of(), false));

    List<String> warnings = log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("batch-size")).toList();
    assertThat(warnings).containsExactly(
        "   warning: supervised: batch-size 64 is larger than its 40 training images; it trains on batches of 40",
        "   warning: a: batch-size 64 is larger than its 40 training images; it trains on batches of 40");
    assertThat(byName.get("a").batchSize()).isEqualTo(40);
    assertThat(byName.get("b").batchSize()).isEqualTo(20);
    assertThat(byName.get("supervised").batchSize()).isEqualTo(40);
    assertThat(byName.get("random-init").batchSize()).isNull();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.path("entries").findValues("batchSize")).extracting(n -> n.asInt()).containsExactly(40, 40, 20);
    assertThat(json.path("config").path("suite").path("training").path("batch-size").asInt()).isEqualTo(64);
    // Every entry says how long its frozen protocols took.
    assertThat(byName.values()).allSatisfy(e -> assertThat(e.evaluationSeconds()).as(e.name()).isPositive());
    assertThat(json.path("entries").findValues("evaluationSeconds")).hasSize(4)
        .allSatisfy(n -> assertThat(n.asDouble()).isPositive());
    // Neither the supervised baseline's checkpoint nor random-init's fine-tuning stays behind.
    assertThat(out.resolve("work")).doesNotExist();

    // A run stopped between recording a method and removing its checkpoint: the next removes it.
    Path leftover = Files.createDirectories(out.resolve("work/a-seed1/checkpoint"));
    Files.writeString(leftover.resolve("progress.json"), "{}");
    new SuiteRunner(registry, new TrainingEngine(), printed).run(suite, out, Set.of(), true);
    assertThat(out.resolve("work")).doesNotExist();
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("removing " + out.resolve("work/a-seed1") + ": a (seed 1) has finished");
  }

  /** Two quick methods, a and b, and no baselines. */
  private Suite twoMethods(PluginRegistry registry) throws Exception {
    Path file = dir.resolve("two.conf");
    Files.writeString(file, """
        suite {
          name = two
          data { train-limit = 300, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 1, batch-size = 50 }
          methods = [ { type = brightness, name = a }, { type = brightness, name = b } ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5,
                       linear-probe { epochs = 1, min-steps = 10 } }
        }
        """);
    return new SuiteLoader(registry).load(file, List.of());
  }

  @Test
  void twoRunsFillingOneFolderKeepEachOthersResults() throws Exception {
    var registry = FakePlugins.registry();
    Suite suite = twoMethods(registry);
    Path out = dir.resolve("shared");
    // As if started side by side: each writes while the other's entry is already on disk.
    new SuiteRunner(registry, new TrainingEngine()).run(suite, out, Set.of("a"), true);
    // Temporaries of a run killed while writing (by an earlier Pretext, and by a gone process).
    Files.writeString(out.resolve("results.json.tmp"), "");
    Files.writeString(out.resolve("figures/a-seed1-pca.png.999999999.tmp"), "half a png");
    SuiteRunner.Outcome second = new SuiteRunner(registry, new TrainingEngine()).run(suite, out, Set.of("b"), false);
    assertThat(second.entries()).extracting(ResultEntry::name).containsExactlyInAnyOrder("a", "b");
    assertThat(dev.pretext.runtime.report.ResultsWriter.readEntries(out))
        .extracting(ResultEntry::name).containsExactlyInAnyOrder("a", "b");
    try (var files = Files.walk(out)) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".tmp"));
    }
  }

  @Test
  void resumingOntoACorruptResultsFileStopsBeforeTheDataLoadsNamingTheFile() throws Exception {
    var registry = FakePlugins.registry();
    Suite suite = twoMethods(registry);
    Path out = Files.createDirectories(dir.resolve("corrupt"));
    Path json = out.resolve("results.json");
    Files.writeString(json, "{\"suite\": \"two\", \"entr");
    var log = new java.io.ByteArrayOutputStream();

    assertThatThrownBy(() -> new SuiteRunner(registry, new TrainingEngine(), new PrintStream(log, true))
        .run(suite, out, Set.of(), true))
        .isInstanceOf(dev.pretext.runtime.config.SuiteConfigException.class)
        .hasMessageContaining(json + ": cannot be read back")
        .hasMessageContaining("run without --resume");
    assertThat(log.toString()).doesNotContain("data:");
    assertThat(json).hasContent("{\"suite\": \"two\", \"entr");
  }

  @Test
  void aRunDoesNotPutBackItsStartingCopyOfAnEntryAnotherRunMeasuredAgainMeanwhile() throws Exception {
    var registry = FakePlugins.registry();
    Suite suite = twoMethods(registry);
    Path out = dir.resolve("side-by-side");
    new SuiteRunner(registry, new TrainingEngine()).run(suite, out, Set.of("a"), false);
    // While the second run trains b, another run re-measures a (here: rewrites its probe top-1).
    Path json = out.resolve("results.json");
    PrintStream log = new PrintStream(System.err, true) {
      @Override
      public PrintStream printf(String format, Object... args) {
        if (format.startsWith("== %s (method") && "b".equals(args[0])) {
          rewriteProbeTop1(json, "a", 0.123);
        }
        return super.printf(format, args);
      }
    };
    new SuiteRunner(registry, new TrainingEngine(), log).run(suite, out, Set.of("b"), true);

    Map<String, ResultEntry> onDisk = dev.pretext.runtime.report.ResultsWriter.readEntries(out).stream()
        .collect(Collectors.toMap(ResultEntry::name, e -> e));
    assertThat(onDisk).containsKeys("a", "b");
    assertThat(onDisk.get("a").metrics().get("linear_probe").get("top1")).isEqualTo(0.123);
  }

  private static void rewriteProbeTop1(Path json, String name, double top1) {
    try {
      var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
      var root = mapper.readTree(json.toFile());
      for (var e : root.path("entries")) {
        if (e.path("name").asText().equals(name)) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) e.path("metrics").path("linear_probe")).put("top1", top1);
        }
      }
      mapper.writeValue(json.toFile(), root);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void reevaluateMeasuresFinishedEntriesAgainUnderNewProbeSettingsKeepingTheirPretraining() throws Exception {
    String suiteText = """
        suite {
          name = re
          data { train-limit = 300, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 1, batch-size = 50 }
          methods = [ { type = brightness, name = a } ]
          baselines = [raw-pixels]
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5,
                       linear-probe { l2 = L2, validation-fraction = 0 },
                       fine-tune { fractions = [0.5], epochs = 1, min-steps = 2 } }
        }
        """;
    Path before = dir.resolve("before.conf");
    Path after = dir.resolve("after.conf");
    Files.writeString(before, suiteText.replace("L2", "10"));
    Files.writeString(after, suiteText.replace("L2", "0.001"));
    var registry = FakePlugins.registry();
    Suite first = new SuiteLoader(registry).load(before, List.of());
    Suite second = new SuiteLoader(registry).load(after, List.of());
    Path out = dir.resolve("re");
    Map<String, ResultEntry> old = byName(new SuiteRunner(registry, new TrainingEngine()).run(first, out, Set.of(), false));

    // A plain --resume refuses the changed probe, naming the key.
    assertThatThrownBy(() -> new SuiteRunner(registry, new TrainingEngine()).run(second, out, Set.of(), true))
        .hasMessageContaining("evaluation.linear-probe.l2");

    Map<String, ResultEntry> now = byName(new SuiteRunner(registry, new TrainingEngine()).run(second, out, Set.of(), true, true));
    ResultEntry a = now.get("a");
    // Pretraining and fine-tuning are kept; the frozen protocols ran again under the new settings.
    assertThat(a.stepLosses()).isEqualTo(old.get("a").stepLosses());
    assertThat(a.pretrainingSeconds()).isEqualTo(old.get("a").pretrainingSeconds());
    assertThat(old.get("a").metrics()).containsKey("fine_tune_50pct");
    assertThat(a.metrics().get("fine_tune_50pct")).isEqualTo(old.get("a").metrics().get("fine_tune_50pct"));
    assertThat(a.metrics().get("linear_probe")).isNotEqualTo(old.get("a").metrics().get("linear_probe"));
    assertThat(old.get("raw-pixels").metrics().get("linear_probe").get("l2")).isEqualTo(10);
    assertThat(now.get("raw-pixels").metrics().get("linear_probe").get("l2")).isEqualTo(0.001);
    assertThat(now.get("raw-pixels").metrics().get("linear_probe").get("top1"))
        .as("raw pixels: a probe shrunk to almost nothing, then one regularized as usual")
        .isNotEqualTo(old.get("raw-pixels").metrics().get("linear_probe").get("top1"));
    assertThat(a.evaluatedWith()).isEqualTo(now.get("raw-pixels").evaluatedWith())
        .isNotEqualTo(old.get("a").evaluatedWith()).contains("\"l2\":0.001");

    // An interrupted re-evaluation leaves an entry measured the old way: resuming refuses to mix.
    Path json = out.resolve("results.json");
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = mapper.readTree(json.toFile());
    for (var e : root.path("entries")) {
      if (e.path("name").asText().equals("a")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("evaluatedWith", old.get("a").evaluatedWith());
      }
    }
    mapper.writeValue(json.toFile(), root);
    assertThatThrownBy(() -> new SuiteRunner(registry, new TrainingEngine()).run(second, out, Set.of(), true))
        .hasMessageContaining("a (seed 1)").hasMessageContaining("--reevaluate");
    // Measured again, it gets the same numbers: re-evaluation is deterministic.
    Map<String, ResultEntry> again = byName(new SuiteRunner(registry, new TrainingEngine()).run(second, out, Set.of(), true, true));
    assertThat(again.get("a").metrics()).isEqualTo(a.metrics());
  }

  @Test
  void theSupervisedEncoderIsKeptMeasuredAgainWithoutTrainingAndExported() throws Exception {
    String suiteText = """
        suite {
          name = sup
          data { train-limit = 300, test-limit = 100 }
          encoder { type = tiny, width = 8 }
          training { epochs = 1, batch-size = 50 }
          methods = [ brightness ]
          baselines = [supervised]
          evaluation { calibration-batches = 1, label-fractions = [], knn.enabled = false,
                       linear-probe { epochs = EPOCHS, min-steps = 1 } }
        }
        """;
    var registry = FakePlugins.registry();
    Path out = dir.resolve("sup");
    Map<String, Suite> suites = new java.util.HashMap<>();
    for (String epochs : new String[] {"3", "9"}) {
      Path file = dir.resolve("sup" + epochs + ".conf");
      Files.writeString(file, suiteText.replace("EPOCHS", epochs));
      suites.put(epochs, new SuiteLoader(registry).load(file, List.of()));
    }
    ResultEntry trained = byName(new SuiteRunner(registry, new TrainingEngine()).run(suites.get("3"), out, Set.of(), false))
        .get("supervised");
    assertThat(out.resolve("encoders/supervised-seed1.fb")).exists();

    var log = new java.io.ByteArrayOutputStream();
    var quiet = new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8);
    new SuiteRunner(registry, new TrainingEngine(), quiet).run(suites.get("9"), out, Set.of(), true, true);
    ResultEntry back = byName(new SuiteRunner(registry, new TrainingEngine(), quiet)
        .run(suites.get("3"), out, Set.of(), true, true)).get("supervised");

    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("supervised (baseline, seed 1), evaluated again from its kept encoder");
    // The kept encoder is the one measured first: back under the first settings, the same numbers.
    assertThat(back.metrics()).isEqualTo(trained.metrics());
    assertThat(PretrainedEncoder.load(EncoderExport.export(out, "supervised", null, dir.resolve("sup.zip"), registry))
        .embed(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 28, 28)).shape())
        .containsExactly(2, 8);

    // A kept encoder that cannot be read: the baseline is trained again, not lost.
    Files.writeString(out.resolve("encoders/supervised-seed1.json"), "{}");
    ResultEntry retrained = byName(new SuiteRunner(registry, new TrainingEngine(), quiet)
        .run(suites.get("9"), out, Set.of(), true, true)).get("supervised");
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("the kept encoder of supervised (seed 1) cannot be used");
    assertThat(retrained.ok()).isTrue();
    assertThat(retrained.evaluatedWith()).contains("\"epochs\":9");
    assertThat(Files.readString(out.resolve("encoders/supervised-seed1.json"))).contains("image_shape");
  }

  private static Map<String, ResultEntry> byName(SuiteRunner.Outcome outcome) {
    return outcome.entries().stream().collect(Collectors.toMap(ResultEntry::name, e -> e));
  }
}
