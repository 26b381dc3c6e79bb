package dev.pretext.plugins.standard;

import dev.pretext.api.Loss;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * BYOL's regression loss: {@code 2 − 2·cos(p_i, z_i)}, the squared distance of the L2-normalized
 * prediction and target, averaged over rows. Roles: {@code prediction} and {@code target}, both
 * {@code [N, D]}. It compares one direction; BYOL sums it over both views' predictions. The target
 * should carry no gradient (BYOL feeds it from its target network as a placeholder).
 */
final class NegativeCosineLoss implements Loss {

  @Override
  public Set<String> roles() {
    return Set.of("prediction", "target");
  }

  @Override
  public Map<String, Input> consumes() {
    return Map.of("prediction", Input.EMBEDDINGS, "target", Input.EMBEDDINGS);
  }

  @Override
  public SDVariable build(GraphBuilder graph, Map<String, SDVariable> inputs) {
    SameDiff sd = graph.sameDiff();
    SDVariable p = Ops.l2Normalize(sd, inputs.get("prediction"));
    SDVariable z = Ops.l2Normalize(sd, inputs.get("target"));
    SDVariable cosine = p.mul(z).sum(1);
    return cosine.mean().mul(-2).add(2);
  }
}
