package dev.pretext.runtime.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class TrainingIterationsTest {

  @Test
  void stepsOnOneSessionUpdateExactlyAsFitDoes() {
    SameDiff viaFit = graph();
    SameDiff viaSession = graph();
    TrainingEngine.buildGradientsQuietly(viaSession);
    TrainingIterations iterations = new TrainingIterations(viaSession);
    for (int step = 0; step < 4; step++) {
      INDArray batch = Nd4j.rand(DataType.FLOAT, 8, 1, 6, 6).muli(step + 1);
      viaFit.fit(new MultiDataSet(new INDArray[] {batch}, null));
      iterations.step(Map.of("x", batch));
    }
    assertThat(viaSession.getTrainingConfig().getIterationCount()).isEqualTo(4);
    for (String name : List.of("w", "bn_gamma", "bn_beta", "out")) {
      INDArray a = viaFit.getVariable(name).getArr();
      INDArray b = viaSession.getVariable(name).getArr();
      assertThat(a.equalsWithEps(b, 1e-6)).as(name).isTrue();
      assertThat(a.equalsWithEps(graph().getVariable(name).getArr(), 1e-4)).as(name + " moved").isFalse();
    }
  }

  /** A convolution, batch norm (the native op and its gradient) and a linear read-out, Adam. */
  private static SameDiff graph() {
    Nd4j.getRandom().setSeed(3);
    GraphBuilder g = GraphBuilder.create(3);
    SameDiff sd = g.sameDiff();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, 6, 6);
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 3, 1, 4).subi(0.5));
    SDVariable y = sd.cnn().conv2d(x, w, org.nd4j.linalg.api.ops.impl.layers.convolution.config
        .Conv2DConfig.builder().kH(3).kW(3).paddingMode(
            org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.SAME)
        .dataFormat("NCHW").build());
    y = sd.nn().relu(Ops.spatialBatchNorm(g, "bn", y, 4), 0);
    SDVariable out = sd.var("out", Nd4j.rand(DataType.FLOAT, 4, 2));
    y.mean(2, 3).mmul(out).mul(y.mean(2, 3).mmul(out)).mean().rename("loss");
    sd.setLossVariables("loss");
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.01))
        .dataSetFeatureMapping("x").markLabelsUnused().build());
    return sd;
  }
}
