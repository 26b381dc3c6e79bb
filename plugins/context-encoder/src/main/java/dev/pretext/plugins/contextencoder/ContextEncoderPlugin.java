package dev.pretext.plugins.contextencoder;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Context encoders: feature learning by inpainting (Pathak et al., 2016). */
public final class ContextEncoderPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("context-encoder",
        "inpaint a hidden block or region of each image from its surroundings (context encoder)",
        ContextEncoderTask::new));
  }
}
