package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.report.ResultEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSummaryTest {

  @Test
  void saysHowManyPointsEachMethodAddsOverTheBaselinesAndTheWallTime() {
    List<ResultEntry> entries = List.of(
        entry("raw-pixels", "baseline", 0.777, 0.655),
        entry("random-init", "baseline", 0.802, 0.624),
        entry("simclr", "method", 0.839, 0.712),
        ResultEntry.failed("rotation", "method", "rotation", 1, "loss became NaN at step 7"));
    String text = DemoSummary.of(entries, Path.of("runs/demo"), Duration.ofSeconds(8 * 60 + 7));
    assertThat(text)
        .contains("simclr", "0.839 / 0.712", "+3.7 / +8.8 points over untrained encoder",
            "+6.2 / +5.7 points over raw pixels")
        .contains("rotation", "failed: loss became NaN at step 7")
        .contains("Demo finished in 8 min 07 s", Path.of("runs/demo/report.html").toString());
  }

  private static ResultEntry entry(String name, String kind, double all, double onePercent) {
    return new ResultEntry(name, kind, name, 1, ResultEntry.OK, null, 0, null, null, null, null,
        Map.of("linear_probe", Map.of("top1", all), "linear_probe_1pct", Map.of("top1", onePercent)));
  }
}
