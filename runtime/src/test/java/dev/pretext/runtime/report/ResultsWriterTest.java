package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsWriterTest {

  @TempDir Path dir;

  private static ResultEntry entry(String name, long seed, double top1) {
    return new ResultEntry(name, "method", name, seed, ResultEntry.OK, null, 10, 5L, 100.0,
        List.of(1.0), List.of(1.0), metrics(top1));
  }

  private static Map<String, Map<String, Double>> metrics(double top1) {
    Map<String, Map<String, Double>> m = new java.util.LinkedHashMap<>();
    m.put("linear_probe", new java.util.LinkedHashMap<>(Map.of("top1", top1)));
    m.get("linear_probe").put("top5", 0.99);
    m.put("knn", new java.util.LinkedHashMap<>(Map.of("top1", top1 - 0.1)));
    m.get("knn").put("top5", 0.98);
    return m;
  }

  @Test
  void markdownShowsMeanAndSampleStdOverSeeds() {
    String md = ResultsWriter.markdown("s", Map.of("pretext", "x"),
        List.of(entry("rot", 1, 0.80), entry("rot", 2, 0.82), entry("rot", 3, 0.84),
            ResultEntry.failed("bad", "method", "bad", 1, "loss became NaN")));
    assertThat(md).contains("| rot | method | 3/3 | 0.8200 ± 0.0200 | 0.9900 ± 0.0000 | 0.7200 ± 0.0200 | 0.9800 ± 0.0000 | 10 | 100 | ok |");
    assertThat(md).contains("| bad | method | 0/1 |").contains("failed — seed 1: loss became NaN");
  }

  private static Map<String, Double> pretext(double abError, double psnr) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    m.put("ab_error", abError);
    m.put("psnr_db", psnr);
    return m;
  }

  @Test
  void pretextMetricsGetTheirOwnTableAndReadBack() throws Exception {
    ResultEntry colour1 = entry("colour", 1, 0.8).withPretext(pretext(10.0, 20.0));
    ResultEntry colour2 = entry("colour", 2, 0.8).withPretext(pretext(12.0, 22.0));
    assertThat(entry("rot", 1, 0.8).withPretext(Map.of()).pretext()).isNull();
    String md = ResultsWriter.markdown("s", Map.of(), List.of(entry("rot", 1, 0.8), colour1, colour2));
    assertThat(md).contains("## Pretext tasks on held-out pretraining images")
        .contains("| name | ab error | psnr db |")
        .contains("| colour | 11.0000 ± 1.4142 | 21.0000 ± 1.4142 |")
        .doesNotContain("| rot | 0.8");
    assertThat(ResultsWriter.markdown("s", Map.of(), List.of(entry("rot", 1, 0.8)))).doesNotContain("Pretext tasks");
    ResultsWriter.write(dir, "s", ConfigFactory.parseString("suite.name = s"), Map.of(), List.of(colour1));
    assertThat(dir.resolve("results.json")).content().contains("\"pretext\"").contains("\"ab_error\" : 10.0");
    assertThat(ResultsWriter.readEntries(dir)).containsExactly(colour1);
  }

  @Test
  void theL2AndIterationsEachProbeWasFittedWithGetTheirOwnTable() {
    ResultEntry seed1 = entry("rot", 1, 0.8);
    ResultEntry seed2 = entry("rot", 2, 0.8);
    ResultEntry seed3 = entry("rot", 3, 0.8);
    seed1.metrics().get("linear_probe").putAll(Map.of("l2", 1e-4, "iterations", 312.0));
    seed2.metrics().get("linear_probe").putAll(Map.of("l2", 1e-3, "iterations", 95.0));
    // Measured with the earlier epoch-budget probe.
    seed3.metrics().get("linear_probe").putAll(Map.of("l2", 1e-3, "epochs", 15.0));
    String md = ResultsWriter.markdown("s", Map.of(), List.of(seed2, seed3, seed1));
    assertThat(md).contains("| rot | method | 3/3 | 0.8000 ± 0.0000 | 0.9900 ± 0.0000 |")
        .contains("## Linear probes: L2 and solver iterations")
        .contains("| name | linear probe |")
        .contains("| rot | s1: 1e-04, 312 it.; s2: 1e-03, 95 it.; s3: 1e-03, 15 ep. |");
    assertThat(ResultsWriter.markdown("s", Map.of(), List.of(entry("rot", 1, 0.8)))).doesNotContain("Linear probes:");
  }

  private static SegmentationScores segmentation(double miou, List<Double> epochLosses) {
    Map<String, Double> iou = new java.util.LinkedHashMap<>();
    iou.put("background", 0.9);
    iou.put("coat", miou * 2 - 0.9);
    return new SegmentationScores(miou, 0.8, iou, epochLosses == null ? 1e-4 : 0, epochLosses == null ? 40 : 12, 5000,
        List.of(-1), "scenes", 3.0, epochLosses);
  }

  @Test
  void theFineTunedSegmentationHasItsOwnTableAndColumnsAndReadsBack() throws Exception {
    ResultEntry tuned = entry("rot", 1, 0.8).withSegmentation(
        new SegmentationResults(segmentation(0.5, null), segmentation(0.6, List.of(1.2, 0.7))));
    // Raw pixels: frozen only.
    ResultEntry raw = entry("raw", 1, 0.7).withSegmentation(new SegmentationResults(segmentation(0.4, null), null));
    String md = ResultsWriter.markdown("s", Map.of(), List.of(tuned, raw));
    assertThat(md).contains("## Segmentation: linear probe per pixel on the test scenes")
        .contains("## Segmentation, fine-tuned: encoder and 1x1 head trained together on the train scenes")
        .contains("| rot | 0.5000 | 0.8000 | 0.9000 | 0.1000 |").contains("| rot | 0.6000 | 0.8000 | 0.9000 | 0.3000 |");
    String fineTunedTable = md.substring(md.indexOf("## Segmentation, fine-tuned"));
    assertThat(fineTunedTable).doesNotContain("| raw |");
    assertThat(ResultsWriter.csv(List.of(tuned, raw))).contains(
        ",segmentation_miou,segmentation_pixel_accuracy,segmentation_iou_background,segmentation_iou_coat"
            + ",segmentation_fine_tuned_miou,segmentation_fine_tuned_pixel_accuracy")
        .contains(",0.5000,0.8000,0.9000,0.1000,0.6000,0.8000,0.9000,0.3000,")
        .contains(",0.4000,0.8000,0.9000,-0.1000,,,,,");
    ResultsWriter.write(dir, "s", ConfigFactory.parseString("suite.name = s"), Map.of(), List.of(tuned, raw));
    assertThat(dir.resolve("results.json")).content().contains("\"segmentationFineTuned\"")
        .contains("\"epochLosses\" : [ 1.2, 0.7 ]");
    assertThat(ResultsWriter.readEntries(dir)).containsExactly(tuned, raw);
    // Without any fine-tuned scores: no second table, no columns.
    assertThat(ResultsWriter.markdown("s", Map.of(), List.of(raw))).doesNotContain("fine-tuned");
    assertThat(ResultsWriter.csv(List.of(raw))).doesNotContain("fine_tuned");
  }

  @Test
  void writesJsonMarkdownCsvAndResolvedConfigThatReadBack() throws Exception {
    List<ResultEntry> entries = List.of(entry("rot", 1, 0.8));
    ResultsWriter.write(dir, "s", ConfigFactory.parseString("suite.name = s"), Map.of("dl4j", "1.0.0-M2.1"), entries);
    assertThat(dir.resolve("results.csv")).content()
        .startsWith("name,kind,type,seed,status,pretraining_seconds,steps,images_per_second,linear_probe_top1")
        .contains("rot,method,rot,1,ok,10.0,5,100.0,0.8000,0.9900,0.7000,0.9800,");
    assertThat(ResultsWriter.readEntries(dir)).isEqualTo(entries);
    assertThat(dir.resolve("resolved.conf")).content().contains("name");
  }

  @Test
  void aResultsFileCutShortOrEmptyIsReportedNamingIt() throws Exception {
    ResultsWriter.write(dir, "s", ConfigFactory.parseString("suite.name = s"), Map.of(), List.of(entry("rot", 1, 0.8)));
    Path json = dir.resolve("results.json");
    String whole = Files.readString(json);
    Files.writeString(json, whole.substring(0, whole.length() / 2));

    assertThatThrownBy(() -> ResultsWriter.readEntries(dir))
        .isInstanceOf(ResultsWriter.UnreadableResultsException.class)
        .hasMessageStartingWith(json + ": not valid results JSON: cut short (line ");
    Files.writeString(json, "{\"entries\": [\n  nonsense ]}");
    assertThatThrownBy(() -> ResultsWriter.readEntries(dir))
        .isInstanceOf(ResultsWriter.UnreadableResultsException.class)
        .hasMessageStartingWith(json + ": not valid results JSON: Unrecognized token 'nonsense'")
        .hasMessageEndingWith("(line 2)")
        .hasMessageNotContaining("Source");
    Files.writeString(json, "");
    assertThatThrownBy(() -> ResultsWriter.readEntries(dir))
        .isInstanceOf(ResultsWriter.UnreadableResultsException.class)
        .hasMessage(json + ": no list of entries (empty or cut short?)");
  }

  @Test
  void everyFileIsReplacedWholeAndATemporaryNeverStays() throws Exception {
    // A folder where resolved.conf should go: the last of the four files fails.
    Files.createDirectories(dir.resolve("resolved.conf/in-the-way"));

    assertThatThrownBy(() -> ResultsWriter.write(dir, "s", ConfigFactory.parseString("suite.name = s"), Map.of(),
        List.of(entry("rot", 1, 0.8))))
        .isInstanceOf(WriteFailedException.class)
        .hasMessageEndingWith(" writing " + dir.resolve("resolved.conf"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("results.json", "results.md", "results.csv", "resolved.conf");
    }
  }
}
