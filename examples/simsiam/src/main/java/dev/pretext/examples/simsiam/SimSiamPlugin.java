package dev.pretext.examples.simsiam;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** SimSiam (Chen and He, 2021, "Exploring Simple Siamese Representation Learning"). */
public final class SimSiamPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("simsiam",
        "SimSiam: predict the other view's projection behind a stop-gradient, no negatives, no momentum encoder",
        SimSiamTask::new));
  }
}
