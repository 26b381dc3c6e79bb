package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class KnnTest {

  @Test
  void voteWeightsTheKMostSimilarByExpSimilarityOverT() {
    float[] sims = {0.9f, 0.1f, 0.8f, -0.5f, 0.7f};
    int[] labels = {0, 1, 1, 0, 2};
    float[] votes = new float[3];
    Knn.vote(sims, labels, 3, 0.1, votes);
    // The 3 nearest: 0.9 (class 0), 0.8 (class 1), 0.7 (class 2).
    assertThat(votes[0]).isCloseTo((float) Math.exp(9), offset(1e-1f));
    assertThat(votes[1]).isCloseTo((float) Math.exp(8), offset(1e-1f));
    assertThat(votes[2]).isCloseTo((float) Math.exp(7), offset(1e-1f));
  }

  @Test
  void classifiesByCosineNotByLength() {
    // Train: class 0 along x, class 1 along y (with different lengths). Test points by direction.
    var train = Nd4j.createFromArray(new float[][] {{1, 0}, {10, 0.1f}, {0, 1}, {0.1f, 5}});
    int[] trainY = {0, 0, 1, 1};
    var test = Nd4j.createFromArray(new float[][] {{100, 1}, {0.01f, 0.2f}});
    LinearProbe.Result r = Knn.evaluate(train, trainY, test, new int[] {0, 1}, 2, 2, 0.1);
    assertThat(r.top1()).isEqualTo(1.0);
    LinearProbe.Result wrong = Knn.evaluate(train, trainY, test, new int[] {1, 0}, 2, 2, 0.1);
    assertThat(wrong.top1()).isEqualTo(0.0);
  }

  @Test
  void topFiveCountsALabelRankedFifth() {
    var scores = Nd4j.createFromArray(new float[][] {{6, 5, 4, 3, 2, 1}, {6, 5, 4, 3, 2, 1}});
    LinearProbe.Result r = LinearProbe.score(scores, new int[] {4, 5});
    assertThat(r.top1()).isZero();
    assertThat(r.top5()).isEqualTo(0.5);
  }
}
