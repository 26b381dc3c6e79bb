package dev.pretext.plugins.colorization;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Colorization as a pretext task: predict colour from lightness (Zhang et al., 2016). */
public final class ColorizationPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("colorization",
        "predict the ab colour of every pixel from its lightness L, over quantized ab bins (Zhang et al. 2016)",
        ColorizationTask::new));
  }
}
