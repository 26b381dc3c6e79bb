package dev.pretext.runtime.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.training.ComputeThreads;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ProtocolsTest {

  @AfterEach
  void backToTheTestsFixedCount() {
    ComputeThreads.set(System.getenv().getOrDefault("PRETEXT_THREADS", "auto"));
  }

  private static INDArray features(int n, int[] labels, long seed) {
    Random random = new Random(seed);
    float[][] x = new float[n][40];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(4);
      for (int j = 0; j < 40; j++) {
        x[i][j] = (float) (random.nextGaussian() + (j % 4 == labels[i] ? 0.8 : 0));
      }
    }
    return Nd4j.createFromArray(x).castTo(DataType.FLOAT);
  }

  private static Map<String, Map<String, Double>> protocols(String threads) {
    ComputeThreads.set(threads);
    int[] trainY = new int[1200];
    int[] testY = new int[400];
    INDArray train = features(trainY.length, trainY, 1);
    INDArray test = features(testY.length, testY, 2);
    Suite.ProbeSettings probe = new Suite.ProbeSettings(100, 0, 64, 1e-3, 1e-4,
        List.of(1e-4, 1e-2, 1.0), 0.1, 1000, 20, 5);
    Suite.EvaluationSettings settings = new Suite.EvaluationSettings(1, probe,
        new Suite.KnnSettings(true, 20, 0.1), List.of(0.05, 0.25), new Suite.FineTuneSettings(List.of(), 1, 0, 2, 1e-3));
    return Protocols.run(train, trainY, test, testY, 4, settings, 7);
  }

  /**
   * With two threads the probe on all labels runs beside the others: every number, and the order
   * of the protocols in the results, must be those of the run on one thread.
   */
  @Test
  void theProbeBesideTheOthersGivesExactlyTheNumbersOfOneThread() {
    Map<String, Map<String, Double>> one = protocols("1");
    Map<String, Map<String, Double>> two = protocols("2");
    assertThat(two).isEqualTo(one);
    assertThat(List.copyOf(two.keySet())).containsExactly("linear_probe", "linear_probe_5pct",
        "linear_probe_25pct", "knn");
    assertThat(one.get("linear_probe").get("top1")).as("the features separate the classes").isGreaterThan(0.5);
  }
}
