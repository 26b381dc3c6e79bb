package dev.pretext.examples.simsiam;

import dev.pretext.toolkit.graph.Ops;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * SimSiam's objective: {@code D(p₁, sg(z₂))/2 + D(p₂, sg(z₁))/2} with the negative cosine
 * similarity {@code D(p, z) = −cos(p, z)} averaged over the batch, so the value lies in [−1, 1] and
 * is −1 when every prediction points along its target.
 *
 * <p>{@code sg} is the stop-gradient: the target z enters D as a constant, so the gradient reaches
 * the encoder only through the predictions. SameDiff's {@code stop_gradient} op back-propagates
 * zeros; since z also feeds the predictor, the encoder and projector are differentiated once either
 * way and the zeros cost one addition.
 *
 * @param stopGradient treat the targets as constants (false reproduces the paper's collapse ablation)
 * @param symmetric both directions; false = {@code D(p₁, sg(z₂))} only
 */
record SimSiamLoss(boolean stopGradient, boolean symmetric) {

  /** Adds the loss of predictions {@code p₁, p₂} and projections {@code z₁, z₂} (each {@code [N, D]}). */
  SDVariable build(SameDiff sd, String name, SDVariable p1, SDVariable p2, SDVariable z1, SDVariable z2) {
    SDVariable one = negativeCosine(sd, p1, target(sd, z2));
    if (!symmetric) {
      return one.rename(name);
    }
    SDVariable two = negativeCosine(sd, p2, target(sd, z1));
    return one.add(two).mul(name, 0.5);
  }

  private SDVariable target(SameDiff sd, SDVariable z) {
    return stopGradient ? new StopGradient(sd, z).outputVariable() : z;
  }

  /** {@code D(p, z) = −mean_i cos(p_i, z_i)} for rows of {@code p} and {@code z}, both {@code [N, D]}. */
  static SDVariable negativeCosine(SameDiff sd, SDVariable p, SDVariable z) {
    return Ops.l2Normalize(sd, p).mul(Ops.l2Normalize(sd, z)).sum(1).mean().neg();
  }
}
