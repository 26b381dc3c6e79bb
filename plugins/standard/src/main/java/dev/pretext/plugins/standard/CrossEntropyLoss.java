package dev.pretext.plugins.standard;

import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Mean softmax cross-entropy. Roles: {@code logits} {@code [N, K]}, {@code labels} one-hot
 * {@code [N, K]}. With smoothing ε the target is {@code (1 − ε)·y + ε/K}.
 */
final class CrossEntropyLoss implements Loss {

  private final double labelSmoothing;

  CrossEntropyLoss(double labelSmoothing) {
    if (labelSmoothing < 0 || labelSmoothing >= 1) {
      throw new IllegalArgumentException("label-smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public Set<String> roles() {
    return Set.of("logits", "labels");
  }

  @Override
  public Map<String, Input> consumes() {
    return Map.of("logits", Input.LOGITS, "labels", Input.TARGETS);
  }

  @Override
  public SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs) {
    SDVariable logits = inputs.get("logits");
    SDVariable labels = inputs.get("labels");
    if (labelSmoothing > 0) {
      // K per row, counted from the labels so the number of classes need not be known here.
      SDVariable classes = labels.mul(0).add(1).sum(true, 1);
      labels = labels.mul(1 - labelSmoothing).add(classes.rdiv(labelSmoothing));
    }
    return Ops.softmaxCrossEntropy(graph.sameDiff(), logits, labels);
  }
}
