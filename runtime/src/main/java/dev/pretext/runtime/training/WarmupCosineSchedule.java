package dev.pretext.runtime.training;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate rising linearly over the first {@code warmupSteps} steps, then following a half
 * cosine from the base rate down to 0 at {@code totalSteps}: the schedule SimCLR, MoCo v2 and BYOL
 * train with. Ends at 0 so the last steps settle the weights instead of jittering around a minimum.
 * Jackson-annotated because SameDiff stores the updater (and so this schedule) in checkpoints.
 */
public final class WarmupCosineSchedule implements ISchedule {

  @JsonProperty private final double base;
  @JsonProperty private final long warmupSteps;
  @JsonProperty private final long totalSteps;

  @JsonCreator
  public WarmupCosineSchedule(@JsonProperty("base") double base,
      @JsonProperty("warmupSteps") long warmupSteps, @JsonProperty("totalSteps") long totalSteps) {
    if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("need 0 <= warm-up steps (" + warmupSteps
          + ") <= total steps (" + totalSteps + ") and total steps >= 1");
    }
    this.base = base;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /** The rate for step {@code iteration} (0-based, SameDiff's iteration count). */
  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmupSteps) {
      return base * (iteration + 1) / warmupSteps;
    }
    long decaySteps = totalSteps - warmupSteps;
    double progress = decaySteps == 0 ? 1 : Math.min(1.0, (double) (iteration - warmupSteps) / decaySteps);
    return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  @Override
  public ISchedule clone() {
    return new WarmupCosineSchedule(base, warmupSteps, totalSteps);
  }

  @Override
  public String toString() {
    return "WarmupCosineSchedule(base=" + base + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ")";
  }
}
