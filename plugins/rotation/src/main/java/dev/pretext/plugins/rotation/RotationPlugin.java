package dev.pretext.plugins.rotation;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Rotation prediction (Gidaris et al., 2018). */
public final class RotationPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("rotation",
        "predict which of 0/90/180/270 degrees each image was rotated by (RotNet)",
        RotationTask::new));
  }
}
