package dev.pretext.runtime.evaluation;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.training.LinearHead;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Logistic regression on standardized frozen features (DL4J softmax output layer, Adam, L2),
 * reporting top-1 and top-5 test accuracy as the reference tables do.
 */
public final class LinearProbe {

  /** Test accuracies in [0, 1]. */
  public record Result(double top1, double top5) {}

  private LinearProbe() {}

  /** Fits on the train features and labels and scores on the test ones. */
  public static Result evaluate(INDArray trainX, int[] trainY, INDArray testX, int[] testY,
      int classes, Suite.ProbeSettings settings, long seed) {
    return score(fit(trainX, trainY, classes, settings, seed).scores(testX), testY);
  }

  /** A fitted probe: the train features' standardization and the softmax layer on top of it. */
  public static final class Fitted {
    private final INDArray mean;
    private final INDArray std;
    private final MultiLayerNetwork net;

    private Fitted(INDArray mean, INDArray std, MultiLayerNetwork net) {
      this.mean = mean;
      this.std = std;
      this.net = net;
    }

    /** Class probabilities {@code [N, classes]} of raw features {@code [N, D]}. */
    public INDArray scores(INDArray features) {
      return net.output(features.subRowVector(mean).diviRowVector(std));
    }

    /**
     * The same classifier on raw features, the standardization folded in: {@code (h − μ)/σ · W + b
     * = h · (W/σ) + (b − (μ/σ) · W)}; its logits rank the classes as {@link #scores} does.
     */
    public LinearHead head() {
      INDArray w = net.getParam("0_W");
      INDArray b = net.getParam("0_b");
      INDArray perFeature = std.reshape(std.length(), 1);
      INDArray weights = w.divColumnVector(perFeature);
      INDArray bias = b.sub(mean.div(std).reshape(1, std.length()).mmul(w)).reshape(w.columns());
      return new LinearHead(weights, bias);
    }
  }

  /** Logistic regression on the standardized train features (Adam, L2, seeded order). */
  public static Fitted fit(INDArray trainX, int[] trainY, int classes, Suite.ProbeSettings settings, long seed) {
    INDArray mean = trainX.mean(0);
    INDArray std = trainX.std(0).addi(1e-6);
    INDArray train = trainX.subRowVector(mean).diviRowVector(std);
    INDArray trainLabels = oneHot(trainY, classes);

    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(new Adam(settings.learningRate()))
        .l2(settings.l2())
        .weightInit(WeightInit.XAVIER)
        .list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(train.columns()).nOut(classes).activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Random random = new Random(seed);
    int n = train.rows();
    int batchesPerEpoch = (n + settings.batchSize() - 1) / settings.batchSize();
    int epochs = Math.max(settings.epochs(), (settings.minSteps() + batchesPerEpoch - 1) / batchesPerEpoch);
    for (int epoch = 0; epoch < epochs; epoch++) {
      int[] order = shuffled(n, random);
      for (int start = 0; start < n; start += settings.batchSize()) {
        int[] idx = java.util.Arrays.copyOfRange(order, start, Math.min(n, start + settings.batchSize()));
        INDArray x = Nd4j.pullRows(train, 1, idx);
        INDArray y = Nd4j.pullRows(trainLabels, 1, idx);
        net.fit(new DataSet(x, y));
        // Thousands of small off-heap batches: free them now rather than whenever GC runs.
        x.close();
        y.close();
      }
    }
    return new Fitted(mean, std, net);
  }

  /** Top-1 and top-5 accuracy of class scores {@code [N, K]} against labels. */
  public static Result score(INDArray scores, int[] labels) {
    float[][] s = scores.toFloatMatrix();
    int top1 = 0;
    int top5 = 0;
    for (int i = 0; i < labels.length; i++) {
      float own = s[i][labels[i]];
      int higher = 0;
      for (float v : s[i]) {
        if (v > own) {
          higher++;
        }
      }
      top1 += higher < 1 ? 1 : 0;
      top5 += higher < 5 ? 1 : 0;
    }
    return new Result((double) top1 / labels.length, (double) top5 / labels.length);
  }

  static INDArray oneHot(int[] labels, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      y.putScalar(i, labels[i], 1f);
    }
    return y;
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
