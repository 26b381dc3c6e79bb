package dev.pretext.plugins.autoencoder;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Denoising autoencoders (Vincent et al., 2008, 2010); with no corruption, a plain autoencoder. */
public final class AutoencoderPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("denoising-autoencoder",
        "reconstruct the clean image from a corrupted one through a small code (denoising autoencoder)",
        DenoisingAutoencoderTask::new));
  }
}
