package dev.pretext.runtime.evaluation;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Weighted k-nearest-neighbour classification in representation space (Wu et al., 2018, as used
 * by the SimCLR/MoCo literature): cosine similarity, the k most similar training images vote for
 * their class with weight exp(similarity / T). Similarities come {@value #CHUNK} test images at a
 * time from one matrix product; a heap keeps each one's k most similar.
 */
public final class Knn {

  private static final int CHUNK = 256;

  private Knn() {}

  /** Top-1 and top-5 test accuracy of the weighted kNN vote. */
  public static LinearProbe.Result evaluate(INDArray trainX, int[] trainY, INDArray testX, int[] testY,
      int classes, int k, double temperature) {
    INDArray train = normalizeRows(trainX.castTo(DataType.FLOAT));
    INDArray test = normalizeRows(testX.castTo(DataType.FLOAT));
    int n = (int) test.rows();
    int size = (int) train.rows();
    int neighbours = Math.min(k, size);
    float[][] votes = new float[n][classes];
    // Cosine similarities of a chunk of test rows against all train rows by one product, written
    // in row order so they are read out as one block (an 'f'-order product's copy to rows took a
    // third of the time).
    for (int start = 0; start < n; start += CHUNK) {
      int end = Math.min(n, start + CHUNK);
      float[] s;
      try (INDArray sims = Nd4j.create(DataType.FLOAT, new long[] {end - start, size}, 'c')) {
        Nd4j.gemm(test.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()), train, sims, false, true, 1.0, 0.0);
        s = sims.data().asFloat();
      }
      for (int r = 0; r < end - start; r++) {
        vote(s, r * size, size, trainY, neighbours, temperature, votes[start + r]);
      }
    }
    return LinearProbe.score(Nd4j.createFromArray(votes), testY);
  }

  /**
   * Adds the votes of the {@code k} most similar training rows to {@code out}: {@code
   * similarities[offset + i]} is the similarity to training row {@code i}, for {@code i <
   * count}.
   */
  static void vote(float[] similarities, int offset, int count, int[] labels, int k, double temperature,
      float[] out) {
    // A primitive min-heap of the k largest similarities seen so far (indices), root = smallest.
    int[] heap = new int[k];
    int size = 0;
    for (int i = 0; i < count; i++) {
      if (size < k) {
        heap[size] = i;
        siftUp(heap, size++, similarities, offset);
      } else if (similarities[offset + i] > similarities[offset + heap[0]]) {
        heap[0] = i;
        siftDown(heap, size, similarities, offset);
      }
    }
    for (int j = 0; j < size; j++) {
      out[labels[heap[j]]] += (float) Math.exp(similarities[offset + heap[j]] / temperature);
    }
  }

  private static void siftUp(int[] heap, int i, float[] v, int offset) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (v[offset + heap[i]] >= v[offset + heap[parent]]) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[parent];
      heap[parent] = t;
      i = parent;
    }
  }

  private static void siftDown(int[] heap, int size, float[] v, int offset) {
    int i = 0;
    while (true) {
      int left = 2 * i + 1;
      int smallest = i;
      if (left < size && v[offset + heap[left]] < v[offset + heap[smallest]]) {
        smallest = left;
      }
      if (left + 1 < size && v[offset + heap[left + 1]] < v[offset + heap[smallest]]) {
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
