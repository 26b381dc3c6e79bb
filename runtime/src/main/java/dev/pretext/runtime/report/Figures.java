package dev.pretext.runtime.report;

import dev.pretext.runtime.data.ImageSet;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dimensionalityreduction.PCA;

/** The pictures of a run, as PNG files: plots (XChart) and image grids. */
public final class Figures {

  private static final int WIDTH = 800;
  private static final int HEIGHT = 500;
  private static final int CELL = 56;
  private static final int PCA_POINTS = 2000;

  private Figures() {}

  /** Pretraining loss per method over steps (moving average of 20 steps), first seed of each. */
  public static Path lossCurves(List<ResultEntry> entries, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Pretraining loss")
        .xAxisTitle("step").yAxisTitle("loss (moving average of 20 steps)").build();
    chart.getStyler().setMarkerSize(0);
    Map<String, ResultEntry> firstByName = new LinkedHashMap<>();
    for (ResultEntry e : entries) {
      if (e.ok() && e.stepLosses() != null && !e.stepLosses().isEmpty()) {
        firstByName.putIfAbsent(e.name(), e);
      }
    }
    for (ResultEntry e : firstByName.values()) {
      List<Double> smooth = movingAverage(e.stepLosses(), 20);
      List<Integer> steps = new ArrayList<>();
      for (int i = 0; i < smooth.size(); i++) {
        steps.add(i + 1);
      }
      chart.addSeries(e.name(), steps, smooth).setMarker(SeriesMarkers.NONE);
    }
    if (firstByName.isEmpty()) {
      chart.addSeries("no method trained", List.of(0), List.of(0));
    }
    return save(chart, png);
  }

  /**
   * Linear-probe top-1 per method as bars (mean over seeds, error bars ± one standard deviation
   * when there are several), each baseline drawn as a line across them.
   */
  public static Path probeAccuracy(List<ResultEntry> entries, Path png) throws IOException {
    return save(probeAccuracyChart(entries), png);
  }

  static CategoryChart probeAccuracyChart(List<ResultEntry> entries) {
    Map<String, MeanStd> methods = top1OverSeeds(entries, "method", "linear_probe");
    Map<String, MeanStd> baselines = top1OverSeeds(entries, "baseline", "linear_probe");
    boolean severalSeeds = methods.values().stream().anyMatch(m -> m.count() > 1);
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title(severalSeeds ? "Linear probe, top-1 (mean ± std over seeds)" : "Linear probe, top-1")
        .xAxisTitle("method").yAxisTitle("test accuracy").build();
    List<String> names = methods.isEmpty() ? List.of("(no method)") : new ArrayList<>(methods.keySet());
    List<Double> values = methods.isEmpty() ? List.of(0.0) : methods.values().stream().map(MeanStd::mean).toList();
    if (severalSeeds) {
      chart.addSeries("methods", names, values, methods.values().stream().map(MeanStd::std).toList());
    } else {
      chart.addSeries("methods", names, values);
    }
    int labelled = 0;
    for (var b : baselines.entrySet()) {
      double level = b.getValue().mean();
      // A line series gives the baseline its legend entry; the annotation draws it across the plot
      // (a line series alone shows only points when there is a single method).
      List<Double> line = names.stream().map(n -> level).toList();
      chart.addSeries(b.getKey(), names, line).setChartCategorySeriesRenderStyle(
          CategorySeries.CategorySeriesRenderStyle.Line);
      chart.addAnnotation(new org.knowm.xchart.AnnotationLine(level, false, false));
      // Labels side by side along the line: baselines often score alike (raw pixels ≈ random init).
      chart.addAnnotation(new org.knowm.xchart.AnnotationText(
          String.format(java.util.Locale.ROOT, "%s %.3f", b.getKey(), level), 0.6 + 2.2 * labelled++,
          level + 0.004, false));
    }
    double min = java.util.stream.Stream.concat(methods.values().stream(), baselines.values().stream())
        .mapToDouble(m -> m.mean() - m.std()).min().orElse(0);
    chart.getStyler().setYAxisMin(Math.max(0, Math.floor((min - 0.05) * 20) / 20));
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setXAxisLabelRotation(30);
    return chart;
  }

  /**
   * Linear-probe top-1 against the fraction of labels used, per method and baseline; mean over
   * seeds, with error bars of ± one standard deviation when there are several.
   */
  public static Path labelEfficiency(List<ResultEntry> entries, Map<String, Double> fractionsByProtocol,
      Path png) throws IOException {
    return save(labelEfficiencyChart(entries, fractionsByProtocol), png);
  }

  static XYChart labelEfficiencyChart(List<ResultEntry> entries, Map<String, Double> fractionsByProtocol) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Label efficiency")
        .xAxisTitle("fraction of training labels (log scale)")
        .yAxisTitle("top-1: linear probe (solid), fine-tune (dashed)").build();
    chart.getStyler().setXAxisLogarithmic(true);
    Map<String, List<ResultEntry>> byName = new LinkedHashMap<>();
    entries.stream().filter(ResultEntry::ok).forEach(e -> byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e));
    // One colour per entry, shared by its probe and fine-tune lines so the pair reads as one.
    Color[] palette = new org.knowm.xchart.style.colors.XChartSeriesColors().getSeriesColors();
    int index = 0;
    for (var group : byName.entrySet()) {
      Color colour = palette[index++ % palette.length];
      for (boolean fineTune : new boolean[] {false, true}) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (var f : fractionsByProtocol.entrySet()) {
          // Fine-tune results sit under the probe's key with "fine_tune" for "linear_probe".
          String key = fineTune ? f.getKey().replace("linear_probe", "fine_tune") : f.getKey();
          MeanStd top1 = MeanStd.of(group.getValue().stream()
              .map(e -> e.metrics().getOrDefault(key, Map.of()).get("top1"))
              .filter(v -> v != null).mapToDouble(Double::doubleValue).toArray());
          if (top1.count() > 0) {
            xs.add(f.getValue());
            ys.add(top1.mean());
            errors.add(top1.std());
          }
        }
        if (!xs.isEmpty()) {
          String name = group.getKey() + (fineTune ? " (fine-tune)" : "");
          boolean spread = errors.stream().anyMatch(e -> e > 0);
          XYSeries s = spread ? chart.addSeries(name, xs, ys, errors) : chart.addSeries(name, xs, ys);
          s.setMarker(fineTune ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
          s.setLineColor(colour);
          s.setMarkerColor(colour);
          // Set both styles: XChart's cycle would give later series (past ~16) dotted lines.
          s.setLineStyle(fineTune ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        }
      }
    }
    if (chart.getSeriesMap().isEmpty()) {
      chart.addSeries("no results", List.of(1.0), List.of(0.0));
    }
    return chart;
  }

  /** Test representations projected on their first two principal components, coloured by class. */
  public static Path pca(INDArray allFeatures, int[] allLabels, List<String> classNames, String title, Path png)
      throws IOException {
    // At most PCA_POINTS points (a fixed, evenly spaced subset): enough for the picture, cheap to factor.
    int n = (int) allFeatures.rows();
    int step = Math.max(1, (n + PCA_POINTS - 1) / PCA_POINTS);
    int[] rows = java.util.stream.IntStream.iterate(0, i -> i < n, i -> i + step).toArray();
    INDArray features = org.nd4j.linalg.factory.Nd4j.pullRows(allFeatures, 1, rows);
    int[] labels = java.util.Arrays.stream(rows).map(i -> allLabels[i]).toArray();
    INDArray centered = features.subRowVector(features.mean(0));
    INDArray components = PCA.pca_factor(centered.dup(), 2, false);
    float[][] xy = centered.mmul(components).toFloatMatrix();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("PC 1").yAxisTitle("PC 2").build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(4);
    for (int c = 0; c < classNames.size(); c++) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == c) {
          xs.add((double) xy[i][0]);
          ys.add((double) xy[i][1]);
        }
      }
      if (!xs.isEmpty()) {
        chart.addSeries(classNames.get(c), xs, ys).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    return save(chart, png);
  }

  /**
   * For each query (one test image per class), its {@code k} nearest training images by cosine
   * similarity of the representations: a green frame marks a neighbour of the query's class, red
   * one of another class.
   */
  public static Path neighbours(ImageSet train, INDArray trainFeatures, ImageSet test, INDArray testFeatures,
      int k, Path png) throws IOException {
    int[] queries = firstOfEachClass(test.labels(), test.classNames().size());
    INDArray trainNorm = normalize(trainFeatures);
    INDArray q = normalize(org.nd4j.linalg.factory.Nd4j.pullRows(testFeatures, 1, queries));
    float[][] sims = q.mmul(trainNorm.transpose()).toFloatMatrix();
    int[] trainLabels = train.labels();
    int[] testLabels = test.labels();
    BufferedImage grid = new BufferedImage((k + 1) * CELL + 8, queries.length * CELL, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = grid.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
    for (int r = 0; r < queries.length; r++) {
      drawCell(g, test, queries[r], 0, r * CELL, Color.GRAY);
      int[] nearest = topK(sims[r], k);
      for (int j = 0; j < nearest.length; j++) {
        Color frame = trainLabels[nearest[j]] == testLabels[queries[r]] ? new Color(0, 160, 0) : new Color(200, 0, 0);
        drawCell(g, train, nearest[j], (j + 1) * CELL + 8, r * CELL, frame);
      }
    }
    g.dispose();
    AtomicFiles.writeStream(png, out -> ImageIO.write(grid, "png", out));
    return png;
  }

  private static void drawCell(java.awt.Graphics2D g, ImageSet set, int index, int x, int y, Color frame) {
    INDArray image = set.batch(new int[] {index});
    int channels = (int) image.size(1);
    int h = (int) image.size(2);
    int w = (int) image.size(3);
    float[] px = image.data().asFloat();
    BufferedImage cell = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
          int ch = channels == 3 ? c : 0;
          rgb[c] = Math.round(255 * Math.max(0, Math.min(1, px[(ch * h + i) * w + j])));
        }
        cell.setRGB(j, i, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
      }
    }
    g.setColor(frame);
    g.fillRect(x, y, CELL, CELL);
    g.drawImage(cell, x + 3, y + 3, CELL - 6, CELL - 6, null);
  }

  static int[] firstOfEachClass(int[] labels, int classes) {
    int[] first = new int[classes];
    java.util.Arrays.fill(first, -1);
    for (int i = 0; i < labels.length; i++) {
      if (first[labels[i]] < 0) {
        first[labels[i]] = i;
      }
    }
    return java.util.Arrays.stream(first).filter(i -> i >= 0).toArray();
  }

  static int[] topK(float[] values, int k) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a]));
    int n = Math.min(k, values.length);
    int[] top = new int[n];
    for (int i = 0; i < n; i++) {
      top[i] = order[i];
    }
    return top;
  }

  private static INDArray normalize(INDArray x) {
    return x.divColumnVector(x.norm2(1).addi(1e-12).reshape(-1, 1));
  }

  static List<Double> movingAverage(List<Double> values, int window) {
    List<Double> out = new ArrayList<>(values.size());
    double sum = 0;
    for (int i = 0; i < values.size(); i++) {
      sum += values.get(i);
      if (i >= window) {
        sum -= values.get(i - window);
      }
      out.add(sum / Math.min(i + 1, window));
    }
    return out;
  }

  private static Map<String, MeanStd> top1OverSeeds(List<ResultEntry> entries, String kind, String protocol) {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    for (ResultEntry e : entries) {
      Double v = e.metrics().getOrDefault(protocol, Map.of()).get("top1");
      if (e.ok() && e.kind().equals(kind) && v != null) {
        values.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(v);
      }
    }
    Map<String, MeanStd> stats = new LinkedHashMap<>();
    values.forEach((n, v) -> stats.put(n, MeanStd.of(v.stream().mapToDouble(Double::doubleValue).toArray())));
    return stats;
  }

  private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path png) throws IOException {
    AtomicFiles.writeStream(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    return png;
  }
}
