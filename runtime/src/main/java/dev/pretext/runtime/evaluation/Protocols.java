package dev.pretext.runtime.evaluation;

import dev.pretext.runtime.Stratified;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.training.ComputeThreads;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every protocol of a suite on one encoder's features, extracted once: the linear probe on all
 * labels, on stratified label fractions, and the weighted kNN. Probe entries also carry the L2
 * they were fitted with and the solver's iterations ({@code l2}, {@code iterations}) and, when the
 * L2 was chosen on validation, the validation top-1 that chose it.
 */
public final class Protocols {

  private Protocols() {}

  /** The metric group name of the linear probe on a fraction of the labels, e.g. {@code linear_probe_1pct}. */
  public static String fractionKey(double fraction) {
    double pct = fraction * 100;
    String number = pct == Math.rint(pct) ? String.valueOf((long) pct) : String.format(Locale.ROOT, "%s", pct);
    return "linear_probe_" + number.replace('.', '_') + "pct";
  }

  /**
   * Runs the protocols.
   *
   * @return protocol → {@code top1}/{@code top5}
   */
  public static Map<String, Map<String, Double>> run(INDArray train, int[] trainY, INDArray test,
      int[] testY, int classes, Suite.EvaluationSettings settings, long seed) {
    // Probes and kNN are many small products: one thread ran them 1.4x faster than two, quiet. With
    // two cores free, the probe on all labels (the longest) runs on a thread of its own instead,
    // beside the others; each is single-threaded and deterministic, so the numbers are the same.
    boolean beside = ComputeThreads.adjust() >= 2;
    ComputeThreads.adjust(1);
    Supplier<LinearProbe.Evaluation> allLabels = () -> LinearProbe.evaluate(train, trainY, test, testY, classes,
        settings.linearProbe(), seed);
    ExecutorService besideThread = beside ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "probe-all-labels");
      t.setDaemon(true);
      return t;
    }) : null;
    try {
      Future<LinearProbe.Evaluation> all = beside ? besideThread.submit(allLabels::get) : null;
      Map<String, Map<String, Double>> others = fractionsAndKnn(train, trainY, test, testY, classes, settings, seed);
      Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
      metrics.put("linear_probe", asMap(all != null ? result(all) : allLabels.get()));
      metrics.putAll(others);
      return metrics;
    } finally {
      if (besideThread != null) {
        besideThread.shutdownNow();
      }
    }
  }

  private static <T> T result(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the linear probe ran", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  /** The label-fraction probes and the kNN, in the suite's order. */
  private static Map<String, Map<String, Double>> fractionsAndKnn(INDArray train, int[] trainY, INDArray test,
      int[] testY, int classes, Suite.EvaluationSettings settings, long seed) {
    ComputeThreads.adjust(1);
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    for (double fraction : settings.labelFractions()) {
      if (fraction >= 1) {
        continue;
      }
      int count = Math.max(classes, (int) Math.round(fraction * trainY.length));
      int[] idx = Stratified.indices(trainY, count, seed + 7919);
      int[] labels = new int[idx.length];
      for (int i = 0; i < idx.length; i++) {
        labels[i] = trainY[idx[i]];
      }
      metrics.put(fractionKey(fraction), asMap(LinearProbe.evaluate(Nd4j.pullRows(train, 1, idx), labels,
          test, testY, classes, settings.linearProbe(), seed)));
    }
    if (settings.knn().enabled()) {
      metrics.put("knn", asMap(Knn.evaluate(train, trainY, test, testY, classes,
          settings.knn().k(), settings.knn().temperature())));
    }
    return metrics;
  }

  private static Map<String, Double> asMap(LinearProbe.Result r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("top1", r.top1());
    m.put("top5", r.top5());
    return m;
  }

  /** Top-1/top-5 and, so a reader sees what the probe was fitted with, the L2 and the solver's iterations. */
  private static Map<String, Double> asMap(LinearProbe.Evaluation e) {
    Map<String, Double> m = asMap(e.result());
    m.put("l2", e.choice().l2());
    m.put("iterations", (double) e.choice().iterations());
    if (!Double.isNaN(e.choice().validationTop1())) {
      m.put("validation_top1", e.choice().validationTop1());
    }
    return m;
  }
}
