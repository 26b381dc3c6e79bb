package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The contrastive cross-entropy shared by NT-Xent (SimCLR: every other view of the batch is a
 * negative) and InfoNCE (CPC, MoCo: a query against its positive key and negatives from a queue or
 * grid). Both are, per row i of the similarity matrix s and temperature τ,
 *
 * <pre>loss_i = −log( Σ_j pos_ij·exp(s_ij/τ) / Σ_j valid_ij·exp(s_ij/τ) )</pre>
 *
 * averaged over rows; only their defaults differ. Roles: {@code similarities}, {@code positives},
 * {@code valid}, all {@code [N, M]}, the fields of a sampler's {@code ContrastiveLogits}. Masked
 * sums use {@link Ops#maskedLogSumExp}, so excluded entries contribute exactly zero (no −1e9).
 */
final class ContrastiveLoss implements Loss {

  /**
   * Cosine similarities give |s/τ| ≤ 1/τ, and the masked log-sum-exp's exp(s/τ − max) leaves the
   * float range once 1/τ passes about 88 (τ ≈ 0.011); this bound keeps a margin.
   */
  static final double MIN_TEMPERATURE = 0.02;

  private final double temperature;

  ContrastiveLoss(double temperature) {
    this.temperature = temperature;
  }

  static ContrastiveLoss from(Config c, String path) {
    return new ContrastiveLoss(new Settings(c, path).doubleIn("temperature", MIN_TEMPERATURE, 100));
  }

  @Override
  public Set<String> roles() {
    return Set.of("similarities", "positives", "valid");
  }

  /** The similarities are scores the loss scales by 1/τ and soft-maxes itself. */
  @Override
  public Map<String, Input> consumes() {
    return Map.of("similarities", Input.LOGITS, "positives", Input.TARGETS, "valid", Input.TARGETS);
  }

  @Override
  public SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs) {
    SameDiff sd = graph.sameDiff();
    SDVariable logits = inputs.get("similarities").div(temperature);
    SDVariable positive = Ops.maskedLogSumExp(sd, logits, inputs.get("positives"), 1);
    SDVariable all = Ops.maskedLogSumExp(sd, logits, inputs.get("valid"), 1);
    return all.sub(positive).mean();
  }
}
