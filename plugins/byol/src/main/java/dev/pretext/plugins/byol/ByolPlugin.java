package dev.pretext.plugins.byol;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** BYOL (Grill et al., 2020). */
public final class ByolPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("byol",
        "BYOL: predict a momentum target network's projection of the other view, without negatives",
        ByolTask::new));
  }
}
