package dev.pretext.api;

import java.util.List;

/**
 * The one entry point of a plugin, registered in
 * {@code META-INF/services/dev.pretext.api.PretextPlugin}. Every method has a default so that a new
 * component kind never breaks an existing plugin: override only what the plugin contributes.
 */
public interface PretextPlugin {

  /** Encoders (backbones) this plugin contributes. */
  default List<ComponentFactory<Encoder>> encoders() {
    return List.of();
  }

  /** Augmentations this plugin contributes. */
  default List<ComponentFactory<Augmentation>> augmentations() {
    return List.of();
  }

  /** Negative samplers this plugin contributes. */
  default List<ComponentFactory<NegativeSampler>> negativeSamplers() {
    return List.of();
  }

  /** Losses this plugin contributes. */
  default List<ComponentFactory<Loss>> losses() {
    return List.of();
  }

  /** Self-supervised methods this plugin contributes. */
  default List<ComponentFactory<PretextTask>> tasks() {
    return List.of();
  }
}
