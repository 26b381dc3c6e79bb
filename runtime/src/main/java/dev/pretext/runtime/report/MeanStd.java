package dev.pretext.runtime.report;

import java.util.Arrays;
import java.util.Locale;

/**
 * Mean and sample standard deviation (n − 1) of one metric over seeds; the spread of a single
 * value is 0, of none NaN.
 */
public record MeanStd(double mean, double std, int count) {

  public static MeanStd of(double[] values) {
    if (values.length == 0) {
      return new MeanStd(Double.NaN, Double.NaN, 0);
    }
    double mean = Arrays.stream(values).average().orElseThrow();
    if (values.length == 1) {
      return new MeanStd(mean, 0, 1);
    }
    double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1);
    return new MeanStd(mean, Math.sqrt(var), values.length);
  }

  /** "0.8726" for one seed, "0.8726 ± 0.0031" for several, "" for none. */
  public String format() {
    if (count == 0) {
      return "";
    }
    return count == 1 ? String.format(Locale.ROOT, "%.4f", mean)
        : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
  }
}
