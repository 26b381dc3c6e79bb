package dev.pretext.api;

import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The training state a task sees around an optimizer step, on the training thread.
 *
 * <p>Refer to graph variables by the names recorded when building, through {@link #graph()}:
 * after a resume the runtime swaps in the graph restored from the checkpoint.
 */
public interface StepContext {

  /** The training graph (live: its variables hold the current weights). */
  SameDiff graph();

  /** Zero-based index of the step within the whole training run. */
  long step();

  /** Total number of steps of the run (for schedules such as BYOL's momentum). */
  long totalSteps();

  /** Zero-based epoch. */
  int epoch();

  /** The training thread's generator, seeded from the run's seed. */
  Random random();
}
