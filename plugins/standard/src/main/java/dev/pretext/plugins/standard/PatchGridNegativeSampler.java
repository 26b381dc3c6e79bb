package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.graph.GraphBuilder;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPC's negatives: the encoded patches of a grid. Queries and keys come as {@code [N, P, D]}: N
 * images, P target positions per image (in any fixed order), D the embedding width, both
 * L2-normalized along D; {@code keys[n, p]} is the true patch that {@code queries[n, p]} predicts.
 * Both are flattened image-major to {@code M = N·P} rows and compared all against all, {@code s =
 * q·kᵀ} ({@code [M, M]}). The positive of row m is column m only (the identity); every other key
 * — the other positions of the same image and every position of the other images — is a negative,
 * or, with {@code negatives-from-same-image = false}, only the positions of the other images.
 * The positive is never among the negatives as long as the P keys of an image are distinct
 * patches, which the caller guarantees by passing one prediction step at a time.
 *
 * <p>The masks are built in the graph from the shapes of the inputs (integer ops, so no gradient
 * reaches them), so any N works without placeholders.
 */
final class PatchGridNegativeSampler implements NegativeSampler {

  private final boolean negativesFromSameImage;

  PatchGridNegativeSampler(boolean negativesFromSameImage) {
    this.negativesFromSameImage = negativesFromSameImage;
  }

  static PatchGridNegativeSampler from(Config c) {
    return new PatchGridNegativeSampler(c.getBoolean("negatives-from-same-image"));
  }

  @Override
  public Set<Need> needs() {
    return Set.of(Need.GRID);
  }

  @Override
  public ContrastiveLogits build(GraphBuilder graph, SDVariable queries, SDVariable keys) {
    SameDiff sd = graph.sameDiff();
    SDVariable shape = sd.shape(queries);
    SDVariable images = shape.get(SDIndex.interval(0, 1));
    SDVariable width = shape.get(SDIndex.interval(2, 3));
    SDVariable rows = sd.concat(0, sd.constant(Nd4j.createFromArray(-1L)), width);
    SDVariable q = sd.reshape(queries, rows);
    SDVariable k = sd.reshape(keys, rows);
    SDVariable similarities = sd.mmul(graph.name("similarities"), q, k, false, true, false);

    SDVariable m = sd.shape(q).get(SDIndex.interval(0, 1));
    SDVariable positives = sd.math().eye(m).rename(graph.name("positives"));
    SDVariable valid;
    if (negativesFromSameImage) {
      valid = positives.mul(0).add(graph.name("valid"), 1);
    } else {
      // membership [M, N]: row m is one-hot of its image; same image = membership·membershipᵀ.
      SDVariable positionsPerImage = shape.get(SDIndex.interval(1, 2));
      SDVariable one = sd.constant(Nd4j.createFromArray(1L));
      SDVariable perImage = sd.expandDims(sd.math().eye(images), 1);
      SDVariable membership = sd.reshape(sd.tile(perImage, sd.concat(0, one, positionsPerImage, one)),
          sd.concat(0, sd.constant(Nd4j.createFromArray(-1L)), images));
      SDVariable sameImage = sd.mmul(membership, membership, false, true, false);
      valid = sameImage.rsub(1).add(graph.name("valid"), positives);
    }
    return new ContrastiveLogits(similarities, positives, valid);
  }
}
