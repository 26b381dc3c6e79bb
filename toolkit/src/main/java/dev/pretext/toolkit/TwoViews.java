package dev.pretext.toolkit;

import dev.pretext.api.Augmentation;
import java.util.List;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two-view pattern of SimCLR, BYOL and SimSiam: each image augmented twice, both views fed as
 * one batch of 2N (view 1 in rows 0..N−1, view 2 after) so that batch norm normalizes them together,
 * and the network's output split back into the two views inside the graph.
 */
public final class TwoViews {

  private TwoViews() {}

  /**
   * Two augmentations of every image of {@code images [N, C, H, W]}, stacked as {@code [2N, C, H, W]}.
   * View 1 is drawn from {@code random} before view 2, so a seed gives one pair of views.
   */
  public static INDArray stacked(List<Augmentation> augmentations, INDArray images, Random random) {
    INDArray first = Augmentation.applyAll(augmentations, images, random);
    INDArray second = Augmentation.applyAll(augmentations, images, random);
    return Nd4j.concat(0, first, second);
  }

  /**
   * Splits {@code x [2N, width]} into view 1's rows {@code x[0:N]} and view 2's {@code x[N:2N]}.
   * Reshaping to {@code [2, N, width]} and taking points 0 and 1 (strided slices) works for an N
   * unknown while the graph is built, and differentiates correctly.
   */
  public static SDVariable[] split(SDVariable x, long width) {
    SDVariable pairs = x.reshape(2, -1, width);
    return new SDVariable[] {pairs.get(SDIndex.point(0)), pairs.get(SDIndex.point(1))};
  }
}
