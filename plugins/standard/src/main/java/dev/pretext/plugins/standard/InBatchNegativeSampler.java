package dev.pretext.plugins.standard;

import dev.pretext.api.NegativeSampler;
import dev.pretext.api.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SimCLR's negatives: every other view in the batch. Queries and keys are stacked into {@code z =
 * [q; k]} ({@code 2N × D}) and compared all against all, {@code s = z·zᵀ}; the positive of row
 * {@code i} is row {@code i + N} and vice versa, and every entry except the diagonal (a view
 * against itself) takes part in the denominator. The masks are built in the graph from the batch
 * size, so any N works without placeholders.
 */
final class InBatchNegativeSampler implements NegativeSampler {

  @Override
  public ContrastiveLogits build(GraphBuilder graph, SDVariable queries, SDVariable keys) {
    SameDiff sd = graph.sameDiff();
    SDVariable z = sd.concat(0, queries, keys);
    SDVariable similarities = sd.mmul(graph.name("similarities"), z, z, false, true, false);

    // eye wants a 1-D size: the first entry of q's shape, N.
    SDVariable n = sd.shape(queries).get(SDIndex.interval(0, 1));
    SDVariable eye = sd.math().eye(n);
    SDVariable zeros = eye.mul(0);
    SDVariable positives = sd.concat(graph.name("positives"), 0,
        sd.concat(1, zeros, eye), sd.concat(1, eye, zeros));
    SDVariable self = sd.concat(0, sd.concat(1, eye, zeros), sd.concat(1, zeros, eye));
    SDVariable valid = self.rsub(graph.name("valid"), 1);
    return new ContrastiveLogits(similarities, positives, valid);
  }
}
