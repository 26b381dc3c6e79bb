package dev.pretext.runtime.cli;

import dev.pretext.runtime.report.ResultEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The few lines the demo ends with: for each method, how many points of linear-probe top-1 it
 * adds over the untrained encoder and over raw pixels, with all labels and with 1 %, then the
 * wall time and where the report is.
 */
final class DemoSummary {

  private DemoSummary() {}

  static String of(List<ResultEntry> entries, Path folder, Duration wall) {
    StringBuilder out = new StringBuilder("\nWhat pretraining added (linear probe top-1 on the test "
        + "images; all labels / 1 % of the labels):\n");
    Optional<ResultEntry> untrained = find(entries, "random-init");
    Optional<ResultEntry> pixels = find(entries, "raw-pixels");
    untrained.ifPresent(e -> out.append(row("untrained encoder (random-init)", e)).append('\n'));
    pixels.ifPresent(e -> out.append(row("raw pixels", e)).append('\n'));
    for (ResultEntry e : entries) {
      if (!e.kind().equals("method")) {
        continue;
      }
      if (!e.ok()) {
        out.append(String.format(Locale.ROOT, "  %-32s failed: %s%n", e.name(), e.reason()));
        continue;
      }
      out.append(row(e.name(), e));
      untrained.ifPresent(u -> out.append(gain(e, u, "untrained encoder")));
      pixels.ifPresent(p -> out.append(gain(e, p, "raw pixels")));
      out.append('\n');
    }
    long seconds = wall.toSeconds();
    out.append(String.format(Locale.ROOT, "%nDemo finished in %d min %02d s. Report: %s%n",
        seconds / 60, seconds % 60, folder.resolve("report.html")));
    return out.toString();
  }

  private static Optional<ResultEntry> find(List<ResultEntry> entries, String name) {
    return entries.stream().filter(e -> e.name().equals(name) && e.ok()).findFirst();
  }

  private static String row(String label, ResultEntry e) {
    return String.format(Locale.ROOT, "  %-32s %s / %s", label, value(e, "linear_probe"),
        value(e, "linear_probe_1pct"));
  }

  private static String gain(ResultEntry e, ResultEntry reference, String name) {
    return String.format(Locale.ROOT, "   %s / %s points over %s", points(e, reference, "linear_probe"),
        points(e, reference, "linear_probe_1pct"), name);
  }

  private static String value(ResultEntry e, String probe) {
    Double v = top1(e, probe);
    return v == null ? "  —  " : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String points(ResultEntry e, ResultEntry reference, String probe) {
    Double a = top1(e, probe);
    Double b = top1(reference, probe);
    return a == null || b == null ? "—" : String.format(Locale.ROOT, "%+.1f", 100 * (a - b));
  }

  private static Double top1(ResultEntry e, String probe) {
    Map<String, Double> m = e.metrics() == null ? null : e.metrics().get(probe);
    return m == null ? null : m.get("top1");
  }
}
