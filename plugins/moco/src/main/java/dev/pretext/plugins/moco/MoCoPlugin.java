package dev.pretext.plugins.moco;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** MoCo v2 (He et al., 2020; Chen et al., 2020). */
public final class MoCoPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("moco",
        "MoCo v2: match each query with its key from a momentum encoder against a queue of past keys",
        MoCoTask::new));
  }
}
