package dev.pretext.examples.simsiam;

import dev.pretext.testkit.PretextTaskConformance;

/** Placeholders, seeding, the loss falling on the embedded sample, export: the testkit's checks. */
class SimSiamTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "simsiam";
  }
}
