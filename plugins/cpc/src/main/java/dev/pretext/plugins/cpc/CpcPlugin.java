package dev.pretext.plugins.cpc;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Contrastive predictive coding (van den Oord et al., 2018; Hénaff et al., 2019). */
public final class CpcPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("cpc",
        "predict the embeddings of patches rows below from a causal context over a patch grid (InfoNCE)",
        CpcTask::new));
  }
}
