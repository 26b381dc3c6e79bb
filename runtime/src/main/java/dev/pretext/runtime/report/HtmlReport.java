package dev.pretext.runtime.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained {@code report.html}: the results table and every figure, the figures embedded
 * as data URIs so the page opens anywhere with no network and no other file.
 */
public final class HtmlReport {

  private HtmlReport() {}

  /** Figure file names of one entry, relative to the run folder. */
  public static Path neighboursFigure(String name, long seed) {
    return Path.of("figures", EntryFiles.of(name, seed) + "-neighbours.png");
  }

  /** The PCA figure of one entry, relative to the run folder. */
  public static Path pcaFigure(String name, long seed) {
    return Path.of("figures", EntryFiles.of(name, seed) + "-pca.png");
  }

  /** The segmentation picture of one entry (test scenes, true and predicted masks), relative to the run folder. */
  public static Path segmentationFigure(String name, long seed) {
    return Path.of("figures", EntryFiles.of(name, seed) + "-segmentation.png");
  }

  /** The fine-tuned segmenter's picture of one entry, relative to the run folder. */
  public static Path segmentationFineTunedFigure(String name, long seed) {
    return Path.of("figures", EntryFiles.of(name, seed) + "-segmentation-fine-tuned.png");
  }

  /** Draws the summary plots and writes {@code report.html} into {@code folder}. */
  public static Path write(Path folder, String suite, Map<String, String> versions, List<ResultEntry> entries,
      Map<String, Double> fractionsByProtocol) throws IOException {
    List<Path> summary = new ArrayList<>();
    summary.add(Figures.probeAccuracy(entries, folder.resolve("figures/linear-probe.png")));
    summary.add(Figures.lossCurves(entries, folder.resolve("figures/pretraining-loss.png")));
    if (!fractionsByProtocol.isEmpty()) {
      summary.add(Figures.labelEfficiency(entries, fractionsByProtocol, folder.resolve("figures/label-efficiency.png")));
    }
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pretext: ")
        .append(escape(suite)).append("</title>\n<style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}")
        .append(".failed{color:#b00}tr.best td{background:#eef7ee}")
        .append("img{max-width:100%;border:1px solid #eee;margin:4px 0}")
        .append("</style></head><body>\n<h1>Pretext results: ").append(escape(suite)).append("</h1>\n");
    html.append(table(entries));
    html.append("<p>Test accuracy, mean ± std over seeds. ");
    versions.forEach((k, v) -> html.append(escape(k)).append(" ").append(escape(v)).append("; "));
    html.append("</p>\n");
    html.append(sweepTables(entries));
    html.append(pretextTable(entries));
    html.append(segmentationTable(entries));
    html.append("<h2>Summary</h2>\n");
    for (Path figure : summary) {
      html.append(image(figure, figure.getFileName().toString()));
    }
    html.append("<h2>Per method</h2>\n<p>Nearest neighbours: for one test image per class (left), its nearest "
        + "training images in representation space; green = same class, red = another class.</p>\n");
    Map<String, ResultEntry> seen = new LinkedHashMap<>();
    entries.forEach(e -> seen.putIfAbsent(e.name() + "-seed" + e.seed(), e));
    for (ResultEntry e : seen.values()) {
      Path nn = folder.resolve(neighboursFigure(e.name(), e.seed()));
      Path pca = folder.resolve(pcaFigure(e.name(), e.seed()));
      Path segmentation = folder.resolve(segmentationFigure(e.name(), e.seed()));
      Path fineTuned = folder.resolve(segmentationFineTunedFigure(e.name(), e.seed()));
      List<Path> visuals = visuals(folder.resolve("visuals").resolve(EntryFiles.of(e.name(), e.seed())));
      if (!Files.exists(nn) && !Files.exists(pca) && !Files.exists(segmentation) && !Files.exists(fineTuned)
          && visuals.isEmpty()) {
        continue;
      }
      html.append("<h3>").append(escape(e.name())).append(" (seed ").append(e.seed()).append(")</h3>\n");
      if (Files.exists(nn)) {
        html.append(image(nn, e.name() + " nearest neighbours"));
      }
      if (Files.exists(pca)) {
        html.append(image(pca, e.name() + " PCA"));
      }
      if (Files.exists(segmentation)) {
        html.append(image(segmentation, e.name() + " segmentation"));
      }
      if (Files.exists(fineTuned)) {
        html.append(image(fineTuned, e.name() + " segmentation, fine-tuned"));
      }
      for (Path v : visuals) {
        html.append(image(v, e.name() + " " + v.getFileName()));
      }
    }
    html.append("</body></html>\n");
    Path file = folder.resolve("report.html");
    AtomicFiles.writeString(file, html);
    return file;
  }

  /** The PNGs a method's {@code writeVisuals} left in its folder, by name. */
  private static List<Path> visuals(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (var files = Files.list(folder)) {
      return files.filter(f -> f.toString().endsWith(".png")).sorted().toList();
    }
  }

  /** One table per swept method, its best point on validation marked (ResultsWriter.sweepTables). */
  private static String sweepTables(List<ResultEntry> entries) {
    StringBuilder t = new StringBuilder();
    for (ResultsWriter.SweepGroup g : ResultsWriter.sweeps(entries)) {
      List<ResultEntry> all = g.points().values().stream().flatMap(List::stream).toList();
      List<String[]> columns = ResultsWriter.columns(all);
      t.append("<h2>Sweep: ").append(escape(g.method()))
          .append(" (best on validation)</h2>\n<table>\n<tr><th>point</th>");
      g.labels().forEach(l -> t.append("<th>").append(escape(l)).append("</th>"));
      t.append("<th>seeds ok</th><th>validation top1</th>");
      columns.forEach(c -> t.append("<th>").append(escape(c[0].replace('_', ' ') + " " + c[1])).append("</th>"));
      t.append("<th>best</th></tr>\n");
      for (var point : g.points().entrySet()) {
        List<ResultEntry> ok = point.getValue().stream().filter(ResultEntry::ok).toList();
        Map<String, String> values = point.getValue().get(0).sweep().values();
        boolean best = g.best().contains(point.getKey());
        t.append(best ? "<tr class=\"best\">" : "<tr>").append("<td>").append(escape(point.getKey())).append("</td>");
        g.labels().forEach(l -> t.append("<td>").append(escape(values.getOrDefault(l, ""))).append("</td>"));
        t.append("<td>").append(ok.size()).append('/').append(point.getValue().size()).append("</td><td>")
            .append(g.validation(point.getKey()).format()).append("</td>");
        for (String[] c : columns) {
          double[] v = ok.stream().map(e -> e.metrics().getOrDefault(c[0], Map.of()).get(c[1]))
              .filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
          t.append("<td>").append(v.length == 0 ? "" : format(v)).append("</td>");
        }
        t.append("<td>").append(best ? "<b>best on validation</b>" : "").append("</td></tr>\n");
      }
      t.append("</table>\n<p>Swept: ").append(escape(String.join(", ", g.keys()))).append(". ")
          .append(escape(g.best().isEmpty() ? "No point recorded a validation accuracy, so none is marked."
              : ResultsWriter.BEST_ON_VALIDATION)).append("</p>\n");
    }
    return t.toString();
  }

  /** The pretext tasks' own measures on held-out pretraining images, when any method gave some. */
  private static String pretextTable(List<ResultEntry> entries) {
    java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
    entries.forEach(e -> {
      if (e.ok() && e.pretext() != null) {
        keys.addAll(e.pretext().keySet());
      }
    });
    if (keys.isEmpty()) {
      return "";
    }
    StringBuilder t = new StringBuilder("<h2>Pretext tasks on held-out pretraining images</h2>\n<table>\n<tr><th>name</th>");
    keys.forEach(k -> t.append("<th>").append(escape(k.replace('_', ' '))).append("</th>"));
    t.append("</tr>\n");
    Map<String, List<ResultEntry>> byName = new LinkedHashMap<>();
    entries.stream().filter(e -> e.ok() && e.pretext() != null)
        .forEach(e -> byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e));
    for (var group : byName.entrySet()) {
      t.append("<tr><td>").append(escape(group.getKey())).append("</td>");
      for (String k : keys) {
        double[] v = group.getValue().stream().map(e -> e.pretext().get(k)).filter(x -> x != null)
            .mapToDouble(Double::doubleValue).toArray();
        t.append("<td>").append(v.length == 0 ? "" : format(v)).append("</td>");
      }
      t.append("</tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  /** The segmentation protocol's tables (frozen probe, then fine-tuned), each when any entry has it. */
  private static String segmentationTable(List<ResultEntry> entries) {
    return segmentationTable(entries, ResultsWriter.FROZEN, "Segmentation (linear probe per pixel on the test scenes)")
        + segmentationTable(entries, ResultsWriter.FINE_TUNED,
            "Segmentation, fine-tuned (encoder and 1x1 head trained together on the train scenes)");
  }

  /** mIoU, pixel accuracy and per-class IoU of {@code scores}. */
  private static String segmentationTable(List<ResultEntry> entries,
      java.util.function.Function<ResultEntry, SegmentationScores> scores, String title) {
    Map<String, List<ResultEntry>> byName = ResultsWriter.withSegmentation(entries, scores);
    if (byName.isEmpty()) {
      return "";
    }
    List<String> classes = ResultsWriter.segmentationClasses(entries);
    StringBuilder t = new StringBuilder("<h2>" + escape(title) + "</h2>\n"
        + "<table>\n<tr><th>name</th><th>mIoU</th><th>pixel accuracy</th>");
    classes.forEach(c -> t.append("<th>").append(escape(c)).append("</th>"));
    t.append("</tr>\n");
    for (var group : byName.entrySet()) {
      t.append("<tr><td>").append(escape(group.getKey())).append("</td>");
      t.append("<td>").append(format(group.getValue().stream().mapToDouble(e -> scores.apply(e).miou()).toArray()))
          .append("</td><td>").append(format(group.getValue().stream()
              .mapToDouble(e -> scores.apply(e).pixelAccuracy()).toArray())).append("</td>");
      for (String c : classes) {
        double[] v = group.getValue().stream().map(e -> scores.apply(e).classIou().get(c)).filter(x -> x != null)
            .mapToDouble(Double::doubleValue).toArray();
        t.append("<td>").append(v.length == 0 ? "" : format(v)).append("</td>");
      }
      t.append("</tr>\n");
    }
    return t.append("</table>\n<p>IoU per class over all test pixels, mIoU over the classes present;"
        + " mean ± std over seeds.</p>\n").toString();
  }

  private static String table(List<ResultEntry> entries) {
    List<String[]> columns = ResultsWriter.columns(entries);
    StringBuilder t = new StringBuilder("<table>\n<tr><th>name</th><th>kind</th><th>seeds ok</th>");
    columns.forEach(c -> t.append("<th>").append(escape(c[0].replace('_', ' ') + " " + c[1])).append("</th>"));
    t.append("<th>status</th></tr>\n");
    Map<String, List<ResultEntry>> byName = new LinkedHashMap<>();
    entries.forEach(e -> byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e));
    for (var group : byName.entrySet()) {
      List<ResultEntry> ok = group.getValue().stream().filter(ResultEntry::ok).toList();
      t.append("<tr><td>").append(escape(group.getKey())).append("</td><td>")
          .append(escape(group.getValue().get(0).kind())).append("</td><td>")
          .append(ok.size()).append('/').append(group.getValue().size()).append("</td>");
      for (String[] c : columns) {
        double[] v = ok.stream().map(e -> e.metrics().getOrDefault(c[0], Map.of()).get(c[1]))
            .filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        t.append("<td>").append(v.length == 0 ? "" : format(v)).append("</td>");
      }
      List<String> failures = group.getValue().stream().filter(e -> !e.ok())
          .map(e -> "seed " + e.seed() + ": " + e.reason()).toList();
      t.append(failures.isEmpty() ? "<td>ok</td>" : "<td class=\"failed\">" + escape(String.join("; ", failures)) + "</td>");
      t.append("</tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  private static String format(double[] v) {
    double mean = java.util.Arrays.stream(v).average().orElse(0);
    if (v.length == 1) {
      return String.format(Locale.ROOT, "%.4f", mean);
    }
    double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1);
    return String.format(Locale.ROOT, "%.4f ± %.4f", mean, Math.sqrt(var));
  }

  private static String image(Path png, String alt) throws IOException {
    return "<div><img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
        + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) + "\"></div>\n";
  }

  /**
   * Text made safe for HTML content and quoted attributes. Every string that comes from a suite, a
   * plugin, a path or a results.json (which another run may have written) goes through here.
   */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
