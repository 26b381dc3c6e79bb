package dev.pretext.runtime.evaluation;

import java.util.PriorityQueue;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Weighted k-nearest-neighbour classification in representation space (Wu et al., 2018, as used
 * by the SimCLR/MoCo literature): cosine similarity, the k most similar training images vote for
 * their class with weight exp(similarity / T).
 */
public final class Knn {

  private static final int CHUNK = 256;

  private Knn() {}

  /** Top-1 and top-5 test accuracy of the weighted kNN vote. */
  public static LinearProbe.Result evaluate(INDArray trainX, int[] trainY, INDArray testX, int[] testY,
      int classes, int k, double temperature) {
    INDArray train = normalizeRows(trainX);
    INDArray test = normalizeRows(testX);
    int n = (int) test.rows();
    int neighbours = Math.min(k, (int) train.rows());
    float[][] votes = new float[n][classes];
    for (int start = 0; start < n; start += CHUNK) {
      int end = Math.min(n, start + CHUNK);
      INDArray sims = test.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).mmul(train.transpose());
      float[][] s = sims.toFloatMatrix();
      for (int r = 0; r < s.length; r++) {
        vote(s[r], trainY, neighbours, temperature, votes[start + r]);
      }
    }
    return LinearProbe.score(Nd4j.createFromArray(votes), testY);
  }

  /** Adds the votes of the {@code k} most similar training rows to {@code out}. */
  static void vote(float[] similarities, int[] labels, int k, double temperature, float[] out) {
    // Min-heap of the k largest similarities seen so far, by index.
    PriorityQueue<Integer> top = new PriorityQueue<>(k, (a, b) -> Float.compare(similarities[a], similarities[b]));
    for (int i = 0; i < similarities.length; i++) {
      if (top.size() < k) {
        top.add(i);
      } else if (similarities[i] > similarities[top.peek()]) {
        top.poll();
        top.add(i);
      }
    }
    for (int i : top) {
      out[labels[i]] += (float) Math.exp(similarities[i] / temperature);
    }
  }

  static INDArray normalizeRows(INDArray x) {
    INDArray norms = x.norm2(1).addi(1e-12).reshape(-1, 1);
    return x.divColumnVector(norms);
  }
}
