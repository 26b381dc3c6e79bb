package dev.pretext.plugins.jigsaw;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import java.util.List;

/** Jigsaw puzzles (Noroozi and Favaro, 2016). */
public final class JigsawPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(ComponentFactory.of("jigsaw",
        "predict which of N maximally distant permutations shuffled the jittered tiles of an image",
        JigsawTask::new));
  }
}
