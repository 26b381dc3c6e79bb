package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plots carry the spread over seeds, not just the mean. */
class FiguresTest {

  private static ResultEntry entry(String name, String kind, long seed, double probe, double tenPercent) {
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    metrics.put("linear_probe", Map.of("top1", probe));
    metrics.put("linear_probe_10pct", Map.of("top1", tenPercent));
    return new ResultEntry(name, kind, name, seed, ResultEntry.OK, null, 10, 5L, 100.0,
        List.of(1.0), List.of(1.0), metrics);
  }

  private static List<Double> numbers(java.util.Collection<? extends Number> values) {
    List<Double> list = new ArrayList<>();
    values.forEach(v -> list.add(v.doubleValue()));
    return list;
  }

  @Test
  void meanStdUsesTheSampleDeviation() {
    MeanStd three = MeanStd.of(new double[] {0.80, 0.82, 0.84});
    assertThat(three.mean()).isCloseTo(0.82, within(1e-12));
    assertThat(three.std()).isCloseTo(0.02, within(1e-12));
    assertThat(three.format()).isEqualTo("0.8200 ± 0.0200");
    assertThat(MeanStd.of(new double[] {0.8}).format()).isEqualTo("0.8000");
    assertThat(MeanStd.of(new double[0]).format()).isEmpty();
  }

  @Test
  void probeBarsAreMeansWithOneStdErrorBarsOverSeeds() {
    var chart = Figures.probeAccuracyChart(List.of(
        entry("simclr", "method", 1, 0.86, 0.84), entry("simclr", "method", 2, 0.88, 0.86),
        entry("rotation", "method", 1, 0.85, 0.83), entry("rotation", "method", 2, 0.85, 0.83),
        entry("random-init", "baseline", 1, 0.84, 0.81), entry("random-init", "baseline", 2, 0.82, 0.81)));
    var bars = chart.getSeriesMap().get("methods");
    assertThat(numbers(bars.getYData())).satisfiesExactly(
        m -> assertThat(m).isCloseTo(0.87, within(1e-12)), m -> assertThat(m).isCloseTo(0.85, within(1e-12)));
    assertThat(numbers(bars.getExtraValues())).satisfiesExactly(
        e -> assertThat(e).isCloseTo(Math.sqrt(0.0002), within(1e-12)),
        e -> assertThat(e).isCloseTo(0.0, within(1e-12)));
    assertThat(numbers(chart.getSeriesMap().get("random-init").getYData()))
        .allSatisfy(level -> assertThat(level).isCloseTo(0.83, within(1e-12)));
    assertThat(chart.getTitle()).contains("mean ± std");
  }

  @Test
  void oneSeedDrawsPlainBars() {
    var chart = Figures.probeAccuracyChart(List.of(entry("simclr", "method", 1, 0.86, 0.84)));
    assertThat(chart.getSeriesMap().get("methods").getExtraValues()).isNull();
    assertThat(chart.getTitle()).doesNotContain("std");
  }

  @Test
  void labelEfficiencyPointsCarryTheirSpread() {
    var chart = Figures.labelEfficiencyChart(List.of(
            entry("simclr", "method", 1, 0.86, 0.84), entry("simclr", "method", 2, 0.88, 0.84)),
        new LinkedHashMap<>(Map.of("linear_probe_10pct", 0.1, "linear_probe", 1.0)));
    var line = chart.getSeriesMap().get("simclr");
    Map<Double, Double> spreadByFraction = new LinkedHashMap<>();
    for (int i = 0; i < line.getXData().length; i++) {
      spreadByFraction.put(line.getXData()[i], line.getExtraValues()[i]);
    }
    assertThat(spreadByFraction.get(0.1)).isCloseTo(0.0, within(1e-12));
    assertThat(spreadByFraction.get(1.0)).isCloseTo(Math.sqrt(0.0002), within(1e-12));
  }

  @Test
  void labelEfficiencyDrawsProbesSolidAndFineTunesDashedHoweverManyEntries() throws Exception {
    List<ResultEntry> entries = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
      metrics.put("linear_probe", Map.of("top1", 0.8));
      metrics.put("linear_probe_10pct", Map.of("top1", 0.7));
      metrics.put("fine_tune_10pct", Map.of("top1", 0.75));
      entries.add(new ResultEntry("method-" + i, "method", "m", 1, ResultEntry.OK, null, 10, 5L, 100.0,
          List.of(1.0), List.of(1.0), metrics));
    }
    var chart = Figures.labelEfficiencyChart(entries,
        new LinkedHashMap<>(Map.of("linear_probe_10pct", 0.1, "linear_probe", 1.0)));
    // Painting is where XChart fills unset styles from its cycle.
    org.knowm.xchart.BitmapEncoder.getBitmapBytes(chart, org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
    assertThat(chart.getSeriesMap()).hasSize(24);
    chart.getSeriesMap().forEach((name, series) -> assertThat(series.getLineStyle())
        .as(name).isEqualTo(name.endsWith("(fine-tune)")
            ? org.knowm.xchart.style.lines.SeriesLines.DASH_DASH : org.knowm.xchart.style.lines.SeriesLines.SOLID));
  }
}
