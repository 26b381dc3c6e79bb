package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class UpsideDownTest {

  @Test
  void reversesTheRowsOfEveryChannelAndTwiceGivesTheImagesBack() {
    INDArray images = Nd4j.arange(2 * 3 * 4 * 5).castTo(DataType.FLOAT).reshape(2, 3, 4, 5);
    INDArray turned = FlipTask.upsideDown(images);
    for (int y = 0; y < 4; y++) {
      assertThat(turned.get(all(), all(), point(y), all()).equals(images.get(all(), all(), point(3 - y), all())))
          .as("row %d", y).isTrue();
    }
    assertThat(FlipTask.upsideDown(turned).equals(images)).isTrue();
  }
}
