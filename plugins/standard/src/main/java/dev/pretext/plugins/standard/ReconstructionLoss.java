package dev.pretext.plugins.standard;

import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A per-element reconstruction loss ℓ(prediction, target), averaged. Roles: {@code prediction} and
 * {@code target} of the same shape, and an optional {@code weight} of that shape (e.g. a mask of
 * the pixels that count): with it the loss is {@code Σ w·ℓ / Σ w}, without it the mean of ℓ.
 */
final class ReconstructionLoss implements Loss {

  /** The optional role of per-element weights. */
  static final String WEIGHT = "weight";

  /** The per-element loss. */
  enum Kind {
    /** {@code (p − t)²}, with p typically in [0, 1] (e.g. a sigmoid of logits). */
    MSE,
    /**
     * Binary cross-entropy of logits x against targets t in [0, 1], in the stable form {@code
     * max(x, 0) − x·t + log(1 + exp(−|x|))}.
     */
    BINARY_CROSS_ENTROPY
  }

  private final Kind kind;

  ReconstructionLoss(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Set<String> roles() {
    return Set.of("prediction", "target");
  }

  /** MSE compares the prediction with the target as it is; binary cross-entropy applies its own sigmoid. */
  @Override
  public Map<String, Input> consumes() {
    Input prediction = switch (kind) {
      case MSE -> Input.PROBABILITIES;
      case BINARY_CROSS_ENTROPY -> Input.LOGITS;
    };
    return Map.of("prediction", prediction, "target", Input.TARGETS, WEIGHT, Input.TARGETS);
  }

  @Override
  public SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs) {
    SameDiff sd = graph.sameDiff();
    SDVariable p = inputs.get("prediction");
    SDVariable t = inputs.get("target");
    SDVariable perElement = switch (kind) {
      case MSE -> {
        SDVariable d = p.sub(t);
        yield d.mul(d);
      }
      case BINARY_CROSS_ENTROPY -> sd.nn().relu(p, 0).sub(p.mul(t))
          .add(sd.math().log1p(sd.math().exp(sd.math().abs(p).neg())));
    };
    SDVariable w = inputs.get(WEIGHT);
    if (w == null) {
      return perElement.mean();
    }
    // The floor only matters for a batch without any weighted element, whose loss is then 0.
    return perElement.mul(w).sum().div(w.sum().add(1e-8));
  }
}
