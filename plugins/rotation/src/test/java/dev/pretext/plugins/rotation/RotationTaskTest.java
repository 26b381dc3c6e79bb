package dev.pretext.plugins.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.pretext.api.PretextTask;
import dev.pretext.testkit.PretextTaskConformance;
import dev.pretext.testkit.TestKit;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RotationTaskTest extends PretextTaskConformance {

  @Override
  protected String taskType() {
    return "rotation";
  }

  @Test
  void quarterTurnsMatchHandRotatedImage() {
    // 1 image, 1 channel, 2x2: [[1, 2], [3, 4]]
    float[] in = {1, 2, 3, 4};
    float[] out = new float[4];
    Rotations.rotate(in, 0, out, 0, 1, 2, 1);
    assertThat(out).containsExactly(2, 4, 1, 3); // 90° counter-clockwise
    Rotations.rotate(in, 0, out, 0, 1, 2, 2);
    assertThat(out).containsExactly(4, 3, 2, 1);
    Rotations.rotate(in, 0, out, 0, 1, 2, 3);
    assertThat(out).containsExactly(3, 1, 4, 2);
  }

  @Test
  void allRotationsGivesFourLabelledCopiesOfEachImage() {
    PretextTask task = TestKit.task("rotation", "", 1);
    INDArray images = TestKit.sampleImages(3).images();
    Map<String, INDArray> batch = task.prepare(images, new Random(1));
    INDArray rotated = batch.get("images");
    INDArray labels = batch.get("rotation_labels");
    assertThat(rotated.shape()).containsExactly(12, 1, 28, 28);
    assertThat(labels.argMax(1).toIntVector()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3);
    // Copy 0 of each image is the image itself; four quarter turns bring copy 1 back to it.
    assertThat(rotated.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4)).equals(images.get(
        org.nd4j.linalg.indexing.NDArrayIndex.point(1)))).isTrue();
    float[] copy1 = rotated.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).dup().data().asFloat();
    float[] back = new float[copy1.length];
    Rotations.rotate(copy1, 0, back, 0, 1, 28, 3);
    assertThat(Nd4j.create(back, new long[] {1, 28, 28}, 'c')
        .equals(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)))).isTrue();
  }

  @Test
  void oneRandomRotationPerImageWhenAllRotationsIsOff() {
    PretextTask task = TestKit.task("rotation", "all-rotations = false", 1);
    Map<String, INDArray> batch = task.prepare(TestKit.sampleImages(64).images(), new Random(5));
    assertThat(batch.get("images").size(0)).isEqualTo(64);
    int[] counts = new int[4];
    for (int label : batch.get("rotation_labels").argMax(1).toIntVector()) {
      counts[label]++;
    }
    assertThat(java.util.Arrays.stream(counts).min().orElseThrow()).isGreaterThan(5);
  }

  @Test
  void badSettingsAreNamedByTheirPathInTheSuite() {
    // A loss reading roles rotation does not hand over fails when the suite loads, not mid-build.
    assertThatThrownBy(() -> TestKit.task("rotation", "loss.type = mse", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.loss.type")
        .hasMessageContaining("rotation provides [labels, logits]").hasMessageContaining("cross-entropy");
    assertThatThrownBy(() -> TestKit.task("rotation", "head-hidden = -1", 1))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.task.head-hidden");
  }
}
