package dev.pretext.runtime.evaluation;

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
    // A primitive min-heap of the k largest similarities seen so far (indices), root = smallest.
    int[] heap = new int[k];
    int size = 0;
    for (int i = 0; i < similarities.length; i++) {
      if (size < k) {
        heap[size] = i;
        siftUp(heap, size++, similarities);
      } else if (similarities[i] > similarities[heap[0]]) {
        heap[0] = i;
        siftDown(heap, size, similarities);
      }
    }
    for (int j = 0; j < size; j++) {
      out[labels[heap[j]]] += (float) Math.exp(similarities[heap[j]] / temperature);
    }
  }

  private static void siftUp(int[] heap, int i, float[] v) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (v[heap[i]] >= v[heap[parent]]) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[parent];
      heap[parent] = t;
      i = parent;
    }
  }

  private static void siftDown(int[] heap, int size, float[] v) {
    int i = 0;
    while (true) {
      int left = 2 * i + 1;
      int smallest = i;
      if (left < size && v[heap[left]] < v[heap[smallest]]) {
        smallest = left;
      }
      if (left + 1 < size && v[heap[left + 1]] < v[heap[smallest]]) {
        smallest = left + 1;
      }
      if (smallest == i) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[smallest];
      heap[smallest] = t;
      i = smallest;
    }
  }

  static INDArray normalizeRows(INDArray x) {
    INDArray norms = x.norm2(1).addi(1e-12).reshape(-1, 1);
    return x.divColumnVector(norms);
  }
}
