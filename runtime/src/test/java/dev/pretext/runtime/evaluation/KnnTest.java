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
    Knn.vote(sims, 0, sims.length, labels, 3, 0.1, votes);
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

  @Test
  void chunksOfTestImagesVoteAsOneImageAtATimeWould() {
    // More test images than one chunk holds; votes computed here image by image, written out.
    java.util.Random random = new java.util.Random(3);
    int trainSize = 50;
    int testSize = 300;
    int dims = 5;
    int classes = 4;
    int k = 7;
    float[][] train = new float[trainSize][dims];
    float[][] test = new float[testSize][dims];
    int[] trainY = random.ints(trainSize, 0, classes).toArray();
    int[] testY = random.ints(testSize, 0, classes).toArray();
    for (float[] row : train) {
      for (int j = 0; j < dims; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    for (float[] row : test) {
      for (int j = 0; j < dims; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    float[][] votes = new float[testSize][classes];
    for (int i = 0; i < testSize; i++) {
      double[] similarity = new double[trainSize];
      Integer[] order = new Integer[trainSize];
      for (int t = 0; t < trainSize; t++) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int j = 0; j < dims; j++) {
          dot += test[i][j] * train[t][j];
          a += test[i][j] * test[i][j];
          b += train[t][j] * train[t][j];
        }
        similarity[t] = dot / Math.sqrt(a * b);
        order[t] = t;
      }
      java.util.Arrays.sort(order, (p, q) -> Double.compare(similarity[q], similarity[p]));
      for (int r = 0; r < k; r++) {
        votes[i][trainY[order[r]]] += (float) Math.exp(similarity[order[r]] / 0.5);
      }
    }
    LinearProbe.Result expected = LinearProbe.score(Nd4j.createFromArray(votes), testY);

    assertThat(Knn.evaluate(Nd4j.createFromArray(train), trainY, Nd4j.createFromArray(test), testY, classes, k, 0.5))
        .isEqualTo(expected);
  }
}
