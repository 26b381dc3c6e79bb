package dev.pretext.plugins.simclr;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** SimCLR (Chen et al., 2020). */
public final class SimClrPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("simclr",
        "make two augmented views of each image agree against the batch's other views (NT-Xent)",
        SimClrTask::new));
  }
}
