package ${package};

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/**
 * The plugin's entry point, registered in META-INF/services/dev.pretext.api.PretextPlugin. Every
 * method of {@link PretextPlugin} has a default: override the component kinds the plugin adds.
 */
public final class FlipPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("${taskType}",
        "predict whether an image was turned upside down", FlipTask::new));
  }
}
