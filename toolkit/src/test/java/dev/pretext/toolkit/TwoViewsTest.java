package dev.pretext.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.api.Augmentation;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TwoViewsTest {

  /** Adds a number drawn from the random generator: views differ, and the draw order shows. */
  private static final Augmentation SHIFT = (images, random) -> images.add(random.nextInt(100));

  @Test
  void viewOneIsDrawnFirstAndStackedAboveViewTwo() {
    INDArray images = Nd4j.zeros(DataType.FLOAT, 3, 1, 2, 2);
    INDArray views = TwoViews.stacked(List.of(SHIFT), images, new Random(5));
    Random expected = new Random(5);
    int first = expected.nextInt(100);
    int second = expected.nextInt(100);
    assertThat(views.shape()).containsExactly(6, 1, 2, 2);
    assertThat(views.get(NDArrayIndex.interval(0, 3)).meanNumber().intValue()).isEqualTo(first);
    assertThat(views.get(NDArrayIndex.interval(3, 6)).meanNumber().intValue()).isEqualTo(second);
  }

  @Test
  void splitGivesTheRowsOfEachViewForABatchSizeUnknownWhenBuilding() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2);
    SDVariable[] views = TwoViews.split(x, 2);
    INDArray value = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}});
    Map<String, INDArray> out = sd.output(Map.of("x", value), views[0].name(), views[1].name());
    assertThat(out.get(views[0].name())).isEqualTo(value.get(NDArrayIndex.interval(0, 2)));
    assertThat(out.get(views[1].name())).isEqualTo(value.get(NDArrayIndex.interval(2, 4)));
  }

  @Test
  void eachViewsGradientReachesItsOwnRows() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}}));
    SDVariable[] views = TwoViews.split(x, 2);
    SDVariable loss = views[0].mul(2).sum().add(views[1].sum()).rename("loss");
    sd.setLossVariables(loss.name());
    // View 1's rows get view 1's gradient (2), view 2's rows view 2's (1).
    INDArray gradient = sd.calculateGradients(Map.of(), "x").get("x");
    assertThat(gradient).isEqualTo(Nd4j.createFromArray(new float[][] {{2, 2}, {2, 2}, {1, 1}, {1, 1}}));
  }
}
