package dev.pretext.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a run's {@code results.json}, {@code results.md}, {@code results.csv} and
 * {@code resolved.conf}. Called after
 * every entry, each file replaced atomically, so an interrupted suite keeps what it computed.
 */
public final class ResultsWriter {

  // Tolerant of fields it does not know: a folder may hold entries written by a newer Pretext.
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ResultsWriter() {}

  /** Reads the entries of an earlier {@code results.json}, for {@code --resume}. */
  public static List<ResultEntry> readEntries(Path folder) throws IOException {
    Path file = folder.resolve("results.json");
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || !root.path("entries").isArray()) {
        throw new UnreadableResultsException(file, "no list of entries (empty or cut short?)", null);
      }
      List<ResultEntry> entries = new ArrayList<>();
      for (JsonNode e : root.path("entries")) {
        entries.add(JSON.treeToValue(e, ResultEntry.class));
      }
      return entries;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's own message continues with source details that mean nothing to a user.
      String what = e instanceof com.fasterxml.jackson.core.io.JsonEOFException ? "cut short"
          : e.getOriginalMessage().split("\n| \\(start marker| at \\[Source")[0];
      throw new UnreadableResultsException(file, "not valid results JSON: " + what
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    }
  }

  /** A results file that exists but cannot be read back: cut short, edited by hand, not Pretext's. */
  public static final class UnreadableResultsException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String problem;

    UnreadableResultsException(Path file, String problem, Throwable cause) {
      super(file + ": " + problem, cause);
      this.problem = problem;
    }

    /** What is wrong with it, in a phrase. */
    public String problem() {
      return problem;
    }
  }

  /** Writes all three files into {@code folder}, without component settings. */
  public static void write(Path folder, String suite, Config resolved, Map<String, String> versions,
      List<ResultEntry> entries) throws IOException {
    write(folder, suite, resolved, null, versions, entries);
  }

  /**
   * Writes all three files into {@code folder}.
   *
   * @param components every component's settings over its plugin's defaults (see
   *     {@code EffectiveSettings}), kept in results.json as {@code components}; null to leave out
   */
  public static void write(Path folder, String suite, Config resolved, Config components,
      Map<String, String> versions, List<ResultEntry> entries) throws IOException {
    Files.createDirectories(folder);
    ObjectNode root = JSON.createObjectNode();
    root.put("suite", suite);
    root.set("versions", JSON.valueToTree(versions));
    root.set("config", JSON.readTree(resolved.root().render(ConfigRenderOptions.concise())));
    if (components != null) {
      root.set("components", JSON.readTree(components.root().render(ConfigRenderOptions.concise())));
    }
    ArrayNode array = root.putArray("entries");
    entries.forEach(e -> array.add(JSON.valueToTree(e)));
    AtomicFiles.writeString(folder.resolve("results.json"), JSON.writeValueAsString(root));
    AtomicFiles.writeString(folder.resolve("results.md"), markdown(suite, versions, entries));
    AtomicFiles.writeString(folder.resolve("results.csv"), csv(entries));
    AtomicFiles.writeString(folder.resolve("resolved.conf"), resolved.root().render(
        ConfigRenderOptions.defaults().setOriginComments(false).setJson(false)));
  }

  /** Metric columns: every protocol's top-1, and top-5 for the full-label probe and kNN. */
  static List<String[]> columns(List<ResultEntry> entries) {
    java.util.LinkedHashSet<String> protocols = new java.util.LinkedHashSet<>();
    entries.forEach(e -> protocols.addAll(e.metrics().keySet()));
    List<String[]> columns = new ArrayList<>();
    for (String protocol : protocols) {
      columns.add(new String[] {protocol, "top1"});
      if (protocol.equals("linear_probe") || protocol.equals("knn")) {
        columns.add(new String[] {protocol, "top5"});
      }
    }
    return columns;
  }

  /**
   * A Markdown table: one row per method or baseline, mean ± std over the seeds that succeeded; with
   * an encoder column when the entries used more than one encoder.
   */
  static String markdown(String suite, Map<String, String> versions, List<ResultEntry> entries) {
    List<String[]> columns = columns(entries);
    boolean encoders = entries.stream().map(ResultEntry::encoder).filter(e -> e != null).distinct().count() > 1;
    StringBuilder md = new StringBuilder();
    md.append("# Results: ").append(suite).append("\n\n| name | kind |").append(encoders ? " encoder |" : "")
        .append(" seeds ok |");
    columns.forEach(c -> md.append(' ').append(c[0].replace('_', ' ')).append(' ').append(c[1]).append(" |"));
    md.append(" pretraining s | img/s | status |\n|---|---|---|").append(encoders ? "---|" : "");
    columns.forEach(c -> md.append("---|"));
    md.append("---|---|---|\n");
    Map<String, List<ResultEntry>> byName = new LinkedHashMap<>();
    entries.forEach(e -> byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e));
    for (var group : byName.entrySet()) {
      List<ResultEntry> ok = group.getValue().stream().filter(ResultEntry::ok).toList();
      List<String> failures = group.getValue().stream().filter(e -> !e.ok())
          .map(e -> "seed " + e.seed() + ": " + e.reason()).toList();
      md.append("| ").append(group.getKey())
          .append(" | ").append(group.getValue().get(0).kind())
          .append(encoders ? " | " + encoderOf(group.getValue()).replace("|", "/") : "")
          .append(" | ").append(ok.size()).append("/").append(group.getValue().size()).append(" |");
      for (String[] c : columns) {
        md.append(' ').append(meanStd(ok, c[0], c[1])).append(" |");
      }
      boolean method = !ok.isEmpty() && ok.get(0).steps() != null;
      md.append(' ').append(method ? String.format(Locale.ROOT, "%.0f",
              ok.stream().mapToDouble(ResultEntry::pretrainingSeconds).average().orElse(0)) : "")
          .append(" | ").append(method ? String.format(Locale.ROOT, "%.0f",
              ok.stream().mapToDouble(e -> e.imagesPerSecond() == null ? 0 : e.imagesPerSecond()).average().orElse(0)) : "")
          .append(" | ").append(failures.isEmpty() ? "ok" : "failed — " + String.join("; ", failures).replace("|", "/"))
          .append(" |\n");
    }
    md.append(sweepTables(entries));
    md.append(probeTrainingTable(byName));
    md.append(pretextTable(byName));
    md.append(segmentationTable(entries));
    md.append("\nTest accuracy, mean ± std over seeds. Versions: ");
    versions.forEach((k, v) -> md.append(k).append(" ").append(v).append("; "));
    md.append("\n");
    return md.toString();
  }

  /** The validation accuracy a sweep's best point is chosen on: the full-label linear probe's. */
  static final String[] CHOSEN_ON = {"linear_probe", "validation_top1"};

  /**
   * The points of one swept method.
   *
   * @param labels the swept keys' short names (table columns); {@code keys} the keys in full
   * @param points point name → its entries (every seed)
   * @param best the points with the highest mean validation accuracy (several on a tie; none when no
   *     point recorded one)
   */
  record SweepGroup(String method, List<String> labels, List<String> keys, Map<String, List<ResultEntry>> points,
      java.util.Set<String> best) {

    /** The mean over its seeds of a point's linear-probe validation top-1 (NaN: none recorded). */
    MeanStd validation(String point) {
      return MeanStd.of(points.get(point).stream().filter(ResultEntry::ok)
          .map(e -> e.metrics().getOrDefault(CHOSEN_ON[0], Map.of()).get(CHOSEN_ON[1]))
          .filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue).toArray());
    }
  }

  /** The swept methods among {@code entries}, in first-seen order, each with its best point. */
  static List<SweepGroup> sweeps(List<ResultEntry> entries) {
    Map<String, Map<String, List<ResultEntry>>> byMethod = new LinkedHashMap<>();
    Map<String, java.util.LinkedHashSet<String>> labels = new LinkedHashMap<>();
    Map<String, java.util.LinkedHashSet<String>> keys = new LinkedHashMap<>();
    for (ResultEntry e : entries) {
      if (e.sweep() == null) {
        continue;
      }
      String m = e.sweep().method();
      byMethod.computeIfAbsent(m, k -> new LinkedHashMap<>()).computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
      labels.computeIfAbsent(m, k -> new java.util.LinkedHashSet<>()).addAll(e.sweep().values().keySet());
      keys.computeIfAbsent(m, k -> new java.util.LinkedHashSet<>()).addAll(e.sweep().keys());
    }
    List<SweepGroup> groups = new ArrayList<>();
    for (var m : byMethod.entrySet()) {
      SweepGroup group = new SweepGroup(m.getKey(), List.copyOf(labels.get(m.getKey())),
          List.copyOf(keys.get(m.getKey())), m.getValue(), new java.util.LinkedHashSet<>());
      double top = m.getValue().keySet().stream().mapToDouble(p -> group.validation(p).mean())
          .filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
      m.getValue().keySet().stream().filter(p -> group.validation(p).mean() == top).forEach(group.best()::add);
      groups.add(group);
    }
    return groups;
  }

  /** What the best mark means, under each sweep table. */
  static final String BEST_ON_VALIDATION = "Best on validation: the point with the highest validation top-1 of"
      + " the linear probe (the labeled train images it holds out to choose its L2), mean over seeds; the test"
      + " accuracy never chooses.";

  /**
   * One table per swept method: a row per point, a column per swept key, the probe's validation
   * top-1 and every test metric, the best point on validation marked; empty when nothing was swept.
   */
  static String sweepTables(List<ResultEntry> entries) {
    StringBuilder md = new StringBuilder();
    for (SweepGroup g : sweeps(entries)) {
      List<ResultEntry> all = g.points().values().stream().flatMap(List::stream).toList();
      List<String[]> columns = columns(all);
      md.append("\n## Sweep: ").append(g.method()).append(" (best on validation)\n\n| point |");
      g.labels().forEach(l -> md.append(' ').append(l).append(" |"));
      md.append(" seeds ok | validation top1 |");
      columns.forEach(c -> md.append(' ').append(c[0].replace('_', ' ')).append(' ').append(c[1]).append(" |"));
      md.append(" best |\n|---|");
      g.labels().forEach(l -> md.append("---|"));
      md.append("---|---|");
      columns.forEach(c -> md.append("---|"));
      md.append("---|\n");
      for (var point : g.points().entrySet()) {
        List<ResultEntry> ok = point.getValue().stream().filter(ResultEntry::ok).toList();
        Map<String, String> values = point.getValue().get(0).sweep().values();
        md.append("| ").append(point.getKey().replace("|", "/")).append(" |");
        g.labels().forEach(l -> md.append(' ').append(values.getOrDefault(l, "").replace("|", "/")).append(" |"));
        md.append(' ').append(ok.size()).append('/').append(point.getValue().size()).append(" | ")
            .append(g.validation(point.getKey()).format()).append(" |");
        for (String[] c : columns) {
          md.append(' ').append(meanStd(ok, c[0], c[1])).append(" |");
        }
        md.append(g.best().contains(point.getKey()) ? " **best on validation** |" : " |").append('\n');
      }
      md.append("\nSwept: ").append(String.join(", ", g.keys())).append(". ")
          .append(g.best().isEmpty() ? "No point recorded a validation accuracy (linear-probe"
              + " validation-fraction = 0?), so none is marked." : BEST_ON_VALIDATION).append('\n');
    }
    return md.toString();
  }

  /** The encoder an entry's seeds used (the latest's: a resumed folder may hold older entries without it). */
  private static String encoderOf(List<ResultEntry> seeds) {
    return seeds.stream().map(ResultEntry::encoder).filter(e -> e != null).reduce((a, b) -> b).orElse("");
  }

  /**
   * How each linear probe was fitted — the L2 (chosen on validation where enough images were held
   * out) and the solver's iterations, or the epochs of entries measured with the earlier Adam probe —
   * per seed; empty for entries measured before probes recorded it.
   */
  static String probeTrainingTable(Map<String, List<ResultEntry>> byName) {
    java.util.LinkedHashSet<String> probes = new java.util.LinkedHashSet<>();
    byName.values().forEach(list -> list.forEach(e -> e.metrics().forEach((protocol, m) -> {
      if (m.containsKey("l2")) {
        probes.add(protocol);
      }
    })));
    if (probes.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\n## Linear probes: L2 and solver iterations"
        + " (L2 chosen on validation where enough images were held out)\n\n| name |");
    probes.forEach(p -> md.append(' ').append(p.replace('_', ' ')).append(" |"));
    md.append("\n|---|");
    probes.forEach(p -> md.append("---|"));
    md.append('\n');
    for (var group : byName.entrySet()) {
      md.append("| ").append(group.getKey()).append(" |");
      for (String p : probes) {
        List<String> perSeed = new ArrayList<>();
        List<ResultEntry> bySeed = group.getValue().stream().sorted(Comparator.comparingLong(ResultEntry::seed)).toList();
        for (ResultEntry e : bySeed) {
          Map<String, Double> m = e.metrics().get(p);
          if (e.ok() && m != null && m.containsKey("l2")) {
            perSeed.add(String.format(Locale.ROOT, "s%d: %.0e, %s", e.seed(), m.get("l2"), fitted(m)));
          }
        }
        md.append(' ').append(String.join("; ", perSeed)).append(" |");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** "312 it." for the exact probe, "45 ep." for an entry of the earlier epoch-budget probe. */
  private static String fitted(Map<String, Double> m) {
    if (m.containsKey("iterations")) {
      return String.format(Locale.ROOT, "%.0f it.", m.get("iterations"));
    }
    return m.containsKey("epochs") ? String.format(Locale.ROOT, "%.0f ep.", m.get("epochs")) : "?";
  }

  /**
   * A second table for methods that measure their own pretext task on held-out pretraining images
   * (e.g. colorization's ab error and PSNR against predicting grey); empty if none does.
   */
  static String pretextTable(Map<String, List<ResultEntry>> byName) {
    java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
    byName.values().forEach(list -> list.forEach(e -> {
      if (e.pretext() != null) {
        keys.addAll(e.pretext().keySet());
      }
    }));
    if (keys.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\n## Pretext tasks on held-out pretraining images\n\n| name |");
    keys.forEach(k -> md.append(' ').append(k.replace('_', ' ')).append(" |"));
    md.append("\n|---|");
    keys.forEach(k -> md.append("---|"));
    md.append('\n');
    for (var group : byName.entrySet()) {
      List<ResultEntry> with = group.getValue().stream().filter(e -> e.ok() && e.pretext() != null).toList();
      if (with.isEmpty()) {
        continue;
      }
      md.append("| ").append(group.getKey()).append(" |");
      for (String k : keys) {
        double[] v = with.stream().map(e -> e.pretext().get(k)).filter(x -> x != null)
            .mapToDouble(Double::doubleValue).toArray();
        md.append(' ').append(meanStd(v)).append(" |");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** The frozen probe's scores of an entry (results.json's {@code segmentation}). */
  static final Function<ResultEntry, SegmentationScores> FROZEN = ResultEntry::segmentation;
  /** The fine-tuned variant's scores of an entry (results.json's {@code segmentationFineTuned}). */
  static final Function<ResultEntry, SegmentationScores> FINE_TUNED = ResultEntry::segmentationFineTuned;

  /** The class names of every segmentation result of either kind, in first-seen order; empty when none. */
  static List<String> segmentationClasses(List<ResultEntry> entries) {
    java.util.LinkedHashSet<String> classes = new java.util.LinkedHashSet<>();
    for (var scores : List.of(FROZEN, FINE_TUNED)) {
      entries.stream().filter(e -> e.ok() && scores.apply(e) != null)
          .forEach(e -> classes.addAll(scores.apply(e).classIou().keySet()));
    }
    return List.copyOf(classes);
  }

  /** The entries with {@code scores}, by name. */
  static Map<String, List<ResultEntry>> withSegmentation(List<ResultEntry> entries,
      Function<ResultEntry, SegmentationScores> scores) {
    Map<String, List<ResultEntry>> byName = new LinkedHashMap<>();
    entries.stream().filter(e -> e.ok() && scores.apply(e) != null)
        .forEach(e -> byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e));
    return byName;
  }

  /**
   * The segmentation protocol's tables, the frozen probe's and then the fine-tuned variant's: mIoU,
   * pixel accuracy, IoU per class; each left out when no entry has it.
   */
  static String segmentationTable(List<ResultEntry> entries) {
    return segmentationTable(entries, FROZEN, "Segmentation: linear probe per pixel on the test scenes")
        + segmentationTable(entries, FINE_TUNED,
            "Segmentation, fine-tuned: encoder and 1x1 head trained together on the train scenes");
  }

  private static String segmentationTable(List<ResultEntry> entries, Function<ResultEntry, SegmentationScores> scores,
      String title) {
    Map<String, List<ResultEntry>> byName = withSegmentation(entries, scores);
    if (byName.isEmpty()) {
      return "";
    }
    List<String> classes = segmentationClasses(entries);
    StringBuilder md = new StringBuilder("\n## " + title + "\n\n| name | mIoU | pixel accuracy |");
    classes.forEach(c -> md.append(' ').append(c).append(" |"));
    md.append("\n|---|---|---|");
    classes.forEach(c -> md.append("---|"));
    md.append('\n');
    for (var group : byName.entrySet()) {
      List<ResultEntry> list = group.getValue();
      md.append("| ").append(group.getKey()).append(" | ")
          .append(meanStd(list.stream().mapToDouble(e -> scores.apply(e).miou()).toArray())).append(" | ")
          .append(meanStd(list.stream().mapToDouble(e -> scores.apply(e).pixelAccuracy()).toArray())).append(" |");
      for (String c : classes) {
        md.append(' ').append(meanStd(list.stream().map(e -> scores.apply(e).classIou().get(c))
            .filter(x -> x != null).mapToDouble(Double::doubleValue).toArray())).append(" |");
      }
      md.append('\n');
    }
    md.append("\nIoU per class over all test pixels; mIoU = mean over the classes present in the test masks.\n");
    return md.toString();
  }

  /** One CSV row per entry, one column per metric. */
  static String csv(List<ResultEntry> entries) {
    List<String[]> columns = new ArrayList<>();
    java.util.LinkedHashSet<String> protocols = new java.util.LinkedHashSet<>();
    entries.forEach(e -> protocols.addAll(e.metrics().keySet()));
    protocols.forEach(p -> {
      columns.add(new String[] {p, "top1"});
      columns.add(new String[] {p, "top5"});
    });
    List<String> segmentationClasses = segmentationClasses(entries);
    StringBuilder csv = new StringBuilder("name,kind,type,seed,status,pretraining_seconds,steps,images_per_second");
    columns.forEach(c -> csv.append(',').append(c[0]).append('_').append(c[1]));
    boolean frozen = !withSegmentation(entries, FROZEN).isEmpty();
    boolean fineTuned = !withSegmentation(entries, FINE_TUNED).isEmpty();
    if (frozen) {
      segmentationHeader(csv, "segmentation", segmentationClasses);
    }
    if (fineTuned) {
      segmentationHeader(csv, "segmentation_fine_tuned", segmentationClasses);
    }
    csv.append(",encoder,reason\n");
    for (ResultEntry e : entries) {
      csv.append(e.name()).append(',').append(e.kind()).append(',').append(e.type()).append(',')
          .append(e.seed()).append(',').append(e.status()).append(',')
          .append(e.pretrainingSeconds()).append(',')
          .append(e.steps() == null ? "" : e.steps()).append(',')
          .append(e.imagesPerSecond() == null ? "" : String.format(Locale.ROOT, "%.1f", e.imagesPerSecond()));
      for (String[] c : columns) {
        Double v = e.metrics().getOrDefault(c[0], Map.of()).get(c[1]);
        csv.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
      }
      if (frozen) {
        segmentationCells(csv, e.segmentation(), segmentationClasses);
      }
      if (fineTuned) {
        segmentationCells(csv, e.segmentationFineTuned(), segmentationClasses);
      }
      String reason = e.reason() == null ? "" : '"' + e.reason().replace("\"", "\"\"") + '"';
      String encoder = e.encoder() == null ? "" : '"' + e.encoder().replace("\"", "\"\"") + '"';
      csv.append(',').append(encoder).append(',').append(reason).append('\n');
    }
    return csv.toString();
  }

  private static void segmentationHeader(StringBuilder csv, String prefix, List<String> classes) {
    csv.append(',').append(prefix).append("_miou,").append(prefix).append("_pixel_accuracy");
    classes.forEach(c -> csv.append(',').append(prefix).append("_iou_").append(c.replace(',', ' ').replace(' ', '_')));
  }

  private static void segmentationCells(StringBuilder csv, SegmentationScores sc, List<String> classes) {
    csv.append(',').append(sc == null ? "" : String.format(Locale.ROOT, "%.4f", sc.miou()))
        .append(',').append(sc == null ? "" : String.format(Locale.ROOT, "%.4f", sc.pixelAccuracy()));
    for (String c : classes) {
      Double v = sc == null ? null : sc.classIou().get(c);
      csv.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
    }
  }

  private static String meanStd(List<ResultEntry> entries, String protocol, String metric) {
    return meanStd(entries.stream()
        .map(e -> e.metrics().getOrDefault(protocol, Map.of()).get(metric))
        .filter(v -> v != null).mapToDouble(Double::doubleValue).toArray());
  }

  private static String meanStd(double[] values) {
    return MeanStd.of(values).format();
  }
}
