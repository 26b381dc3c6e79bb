package dev.pretext.api;

/** The five kinds of component a plugin can contribute. */
public enum ComponentKind {
  /** The backbone f(·) whose representation is evaluated: {@link Encoder}. */
  ENCODER("encoder"),
  /** A stochastic batch transform run on the input pipeline: {@link Augmentation}. */
  AUGMENTATION("augmentation"),
  /** Where contrastive negatives come from: {@link NegativeSampler}. */
  NEGATIVE_SAMPLER("negative-sampler"),
  /** A scalar objective built from named graph variables: {@link Loss}. */
  LOSS("loss"),
  /** A self-supervised method: {@link PretextTask}. */
  PRETEXT_TASK("task");

  private final String key;

  ComponentKind(String key) {
    this.key = key;
  }

  /** The name used in configuration paths ({@code pretext.<key>.<type>}) and messages. */
  public String key() {
    return key;
  }

  /** The configuration path that holds the defaults of the component {@code type} of this kind. */
  public String referencePath(String type) {
    return "pretext." + key + ".\"" + type + "\"";
  }
}
