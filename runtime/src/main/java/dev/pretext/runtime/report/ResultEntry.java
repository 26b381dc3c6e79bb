package dev.pretext.runtime.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one method or baseline for one seed.
 *
 * @param kind {@code method} or {@code baseline}
 * @param status {@code ok} or {@code failed}
 * @param reason why it failed (null when ok)
 * @param stepLosses the loss of every pretraining step (for the loss plot)
 * @param metrics protocol name → metric name → value, e.g. {@code linear_probe.top1}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEntry(
    String name,
    String kind,
    String type,
    long seed,
    String status,
    String reason,
    double pretrainingSeconds,
    Long steps,
    Double imagesPerSecond,
    List<Double> epochLosses,
    List<Double> stepLosses,
    Map<String, Map<String, Double>> metrics) {

  public static final String OK = "ok";
  public static final String FAILED = "failed";

  /** A failed entry that keeps whatever was measured before the failure. */
  public static ResultEntry failed(String name, String kind, String type, long seed, String reason) {
    return new ResultEntry(name, kind, type, seed, FAILED, reason, 0, null, null, null, null, Map.of());
  }

  public boolean ok() {
    return OK.equals(status);
  }
}
