package ${package};

import dev.pretext.testkit.PretextTaskConformance;

/**
 * The testkit's checks: every placeholder prepared, the same seed giving the same batch, the loss
 * falling on the embedded sample, batch norm calibrated, an exported encoder embedding as evaluated.
 */
class FlipTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "${taskType}";
  }
}
