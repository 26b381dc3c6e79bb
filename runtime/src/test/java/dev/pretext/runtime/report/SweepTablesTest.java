package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep's table in results.md and report.html: its best point is chosen on validation, never on test. */
class SweepTablesTest {

  @TempDir Path dir;

  private static ResultEntry point(double temperature, long seed, double validation, double test) {
    String name = "simclr[temperature=" + temperature + "]";
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("linear_probe", Map.of("top1", test, "top5", 0.99, "l2", 1e-3, "iterations", 50.0,
        "validation_top1", validation));
    m.put("knn", Map.of("top1", test - 0.01, "top5", 0.98));
    return new ResultEntry(name, "method", "simclr", seed, ResultEntry.OK, null, 10, 5L, 100.0,
        List.of(1.0), List.of(1.0), m).withSweep(new ResultEntry.SweepPoint("simclr",
            List.of("simclr.loss.temperature"), Map.of("temperature", String.valueOf(temperature))));
  }

  private static ResultEntry plain(String name) {
    return new ResultEntry(name, "baseline", name, 1, ResultEntry.OK, null, 0, null, null, null, null,
        Map.of("linear_probe", Map.of("top1", 0.7, "top5", 0.9)));
  }

  /**
   * T = 0.1 has the best test accuracy but not the best validation accuracy; T = 0.2 is best on
   * validation on average over two seeds although T = 0.5 beats it on one seed's validation.
   */
  private static List<ResultEntry> entries() {
    return List.of(plain("raw-pixels"),
        point(0.1, 1, 0.80, 0.95), point(0.1, 2, 0.80, 0.95),
        point(0.2, 1, 0.90, 0.85), point(0.2, 2, 0.86, 0.85),
        point(0.5, 1, 0.91, 0.80), point(0.5, 2, 0.80, 0.80));
  }

  @Test
  void theBestPointIsTheOneWithTheHighestMeanValidationAccuracyNotTheBestOnTest() {
    var groups = ResultsWriter.sweeps(entries());
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).best()).containsExactly("simclr[temperature=0.2]");

    String md = ResultsWriter.markdown("s", Map.of(), entries());
    assertThat(md).contains("## Sweep: simclr (best on validation)")
        .contains("| point | temperature | seeds ok | validation top1 | linear probe top1 | linear probe top5 |"
            + " knn top1 | knn top5 | best |")
        .contains("| simclr[temperature=0.2] | 0.2 | 2/2 | 0.8800 ± 0.0283 | 0.8500 ± 0.0000 |")
        .contains("Swept: simclr.loss.temperature.").contains("the test accuracy never chooses");
    List<String> rows = md.lines().filter(l -> l.startsWith("| simclr[temperature=") && l.contains(" 2/2 ")).toList();
    // The main table and the sweep table each have a row per point; only the sweep's marks one.
    assertThat(rows).hasSize(6);
    assertThat(rows.stream().filter(l -> l.endsWith("| **best on validation** |")))
        .containsExactly(rows.stream().filter(l -> l.startsWith("| simclr[temperature=0.2] | 0.2 |")).findFirst()
            .orElseThrow());
    // The main table has no sweep column; raw pixels is in it and in no sweep table.
    assertThat(md).contains("| raw-pixels | baseline | 1/1 |");
  }

  @Test
  void aTieMarksEveryTiedPointAndNoValidationAccuracyMarksNone() {
    List<ResultEntry> tied = List.of(point(0.1, 1, 0.9, 0.8), point(0.2, 1, 0.9, 0.7), point(0.5, 1, 0.8, 0.9));
    assertThat(ResultsWriter.sweeps(tied).get(0).best())
        .containsExactly("simclr[temperature=0.1]", "simclr[temperature=0.2]");

    List<ResultEntry> none = tied.stream().map(e -> e.withMetrics(Map.of("linear_probe",
        Map.of("top1", e.metrics().get("linear_probe").get("top1"))))).toList();
    assertThat(ResultsWriter.sweeps(none).get(0).best()).isEmpty();
    assertThat(ResultsWriter.markdown("s", Map.of(), none)).doesNotContain("**best on validation**")
        .contains("No point recorded a validation accuracy");
  }

  @Test
  void theReportGroupsTheSweepAndMarksTheSamePoint() throws Exception {
    Path html = HtmlReport.write(dir, "s", Map.of(), entries(), Map.of("linear_probe", 1.0));
    String page = Files.readString(html);
    assertThat(page).contains("<h2>Sweep: simclr (best on validation)</h2>")
        .contains("<tr class=\"best\"><td>simclr[temperature=0.2]</td><td>0.2</td>")
        .contains("<b>best on validation</b>").contains("the test accuracy never chooses");
    assertThat(page.split("<b>best on validation</b>", -1)).hasSize(2);
  }

  @Test
  void entriesAreFiledUnderAStemWithoutPatternCharacters() {
    assertThat(EntryFiles.stem("simclr[temperature=0.2,batch-size=128]"))
        .isEqualTo("simclr_temperature-0.2_batch-size-128");
    assertThat(EntryFiles.of("simclr", 3)).isEqualTo("simclr-seed3");
    assertThat(EntryFiles.stem("my method")).isEqualTo("my method");
    assertThat(EntryFiles.stem("a/b")).isEqualTo("a_b");
    assertThat(HtmlReport.pcaFigure("m[x=1]", 1)).isEqualTo(Path.of("figures", "m_x-1-seed1-pca.png"));
  }

  @Test
  void theSweepPointIsKeptInResultsJson() throws Exception {
    ResultsWriter.write(dir, "s", com.typesafe.config.ConfigFactory.parseString("suite { name = s }"), Map.of(),
        entries());
    List<ResultEntry> read = ResultsWriter.readEntries(dir);
    assertThat(read.get(3).sweep()).isEqualTo(entries().get(3).sweep());
    assertThat(read.get(0).sweep()).isNull();
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"sweep\" : {")
        .contains("\"method\" : \"simclr\"");
  }
}
